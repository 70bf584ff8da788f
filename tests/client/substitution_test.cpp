#include "client/substitution.hpp"

#include <gtest/gtest.h>

#include <map>

namespace jobsched::client {
namespace {

VariableLookup From(std::map<std::string, std::string> variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

TEST(SubstituteVariables, ReplacesEachVariableByItsValue) {
  const auto lookup = From({{"TOKEN", "s3cret"}, {"HOST", "example.com"}, {"EMPTY", ""}});

  auto text = SubstituteVariables("Bearer ${TOKEN} for https://${HOST}/x${EMPTY}", lookup);

  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, "Bearer s3cret for https://example.com/x");
}

TEST(SubstituteVariables, LeavesDollarsThatStartNoVariableAndUnescapesDoubleDollars) {
  auto text = SubstituteVariables("costs $5, $HOME stays, $${NOT_A_VAR} is literal", From({}));

  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, "costs $5, $HOME stays, ${NOT_A_VAR} is literal");
}

TEST(SubstituteVariables, RefusesAnUnsetVariableNamingIt) {
  auto text = SubstituteVariables("Bearer ${WEBHOOK_TOKEN}", From({{"OTHER", "x"}}));

  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().field, "WEBHOOK_TOKEN");
  EXPECT_EQ(text.error().message, "environment variable WEBHOOK_TOKEN is not set");
}

TEST(SubstituteVariables, RefusesUnclosedAndMalformedReferences) {
  for (const char* bad : {"${OPEN", "${1ABC}", "${A-B}", "${}"}) {
    EXPECT_FALSE(SubstituteVariables(bad, From({{"OPEN", "x"}})).ok()) << bad;
  }
}

}  // namespace
}  // namespace jobsched::client
