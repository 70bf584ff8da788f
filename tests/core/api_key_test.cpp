#include "core/api_key.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace jobsched::core {
namespace {

TEST(Role, ParsesWhatItPrints) {
  for (const Role role : {Role::kRead, Role::kWrite, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(ToString(role)), role) << ToString(role);
  }
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
  EXPECT_EQ(ParseRole("owner"), std::nullopt);
}

TEST(Role, EachRoleIncludesTheOnesBelowIt) {
  struct Case {
    Role held;
    Role needed;
    bool allowed;
  };
  const Case cases[] = {
      {Role::kRead, Role::kRead, true},  {Role::kRead, Role::kWrite, false}, {Role::kRead, Role::kAdmin, false},
      {Role::kWrite, Role::kRead, true}, {Role::kWrite, Role::kWrite, true}, {Role::kWrite, Role::kAdmin, false},
      {Role::kAdmin, Role::kRead, true}, {Role::kAdmin, Role::kWrite, true}, {Role::kAdmin, Role::kAdmin, true},
  };

  for (const Case& c : cases) {
    EXPECT_EQ(RoleAllows(c.held, c.needed), c.allowed) << ToString(c.held) << " for " << ToString(c.needed);
  }
}

TEST(ValidateKeyName, AcceptsLowerCaseNamesOfLettersDigitsAndPunctuation) {
  for (const std::string& name :
       std::vector<std::string>{"ci", "deploy-bot", "team_a.reader", "0", std::string(64, 'k')}) {
    EXPECT_TRUE(ValidateKeyName(name).ok()) << name;
  }
}

TEST(ValidateKeyName, RefusesWhatWouldNeedQuotingNamingTheField) {
  for (const std::string& name : std::vector<std::string>{"", "CI", "-ci", ".ci", "ci bot", "ci/bot", "ci\n",
                                                          std::string(65, 'k'), "k\xc3\xa9y"}) {
    auto valid = ValidateKeyName(name);

    ASSERT_FALSE(valid.ok()) << name;
    EXPECT_EQ(valid.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(valid.error().field, "name");
  }
}

TEST(ValidateNamespace, FollowsTheSameRulesNamingItsField) {
  EXPECT_TRUE(ValidateNamespace("default").ok());
  EXPECT_TRUE(ValidateNamespace("team-a.prod_1").ok());

  auto bad = ValidateNamespace("Team A");

  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "namespace");
  EXPECT_EQ(ValidateNamespace("", "query").error().field, "query");
}

}  // namespace
}  // namespace jobsched::core
