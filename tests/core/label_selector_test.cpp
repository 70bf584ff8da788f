#include "core/label_selector.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

using Operator = LabelRequirement::Operator;

LabelSelector Parsed(std::string_view text) {
  auto selector = ParseLabelSelector(text);
  EXPECT_TRUE(selector.ok()) << text << ": " << (selector.ok() ? "" : selector.error().message);
  return selector.ok() ? *selector : LabelSelector{};
}

TEST(ParseLabelSelector, ReadsEveryOperator) {
  const LabelSelector selector =
      Parsed("team=payments,tier!=batch,env==prod,canary,!legacy,zone in (a, b),app.io/x notin (c)");
  const LabelSelector expected{
      {"team", Operator::kEquals, {"payments"}}, {"tier", Operator::kNotEquals, {"batch"}},
      {"env", Operator::kEquals, {"prod"}},      {"canary", Operator::kExists, {}},
      {"legacy", Operator::kNotExists, {}},      {"zone", Operator::kIn, {"a", "b"}},
      {"app.io/x", Operator::kNotIn, {"c"}},
  };
  EXPECT_EQ(selector, expected);
}

TEST(ParseLabelSelector, IgnoresBlanksAndAllowsEmptyValues) {
  EXPECT_EQ(Parsed(" team = payments , ! legacy "),
            (LabelSelector{{"team", Operator::kEquals, {"payments"}}, {"legacy", Operator::kNotExists, {}}}));
  EXPECT_EQ(Parsed("tier="), (LabelSelector{{"tier", Operator::kEquals, {""}}}));
  EXPECT_EQ(Parsed("tier in()"), (LabelSelector{{"tier", Operator::kIn, {""}}}));
}

TEST(ParseLabelSelector, NamesThePartAtFault) {
  struct Case {
    const char* text;
    const char* part;
  };
  for (const Case& c :
       {Case{"team=payments,tier!=bad value", "'tier!=bad value'"}, Case{"team=a,,x", "''"}, Case{"team=a,", "''"},
        Case{"-team=a", "'-team=a'"}, Case{"team=a,tier!", "'tier!'"}, Case{"team>3", "'team>3'"},
        Case{"zone in (a", "'zone in (a'"}, Case{"zone in a,b", "'zone in a'"}, Case{"!legacy=1", "'!legacy=1'"},
        Case{"!x in (a)", "'!x in (a)'"}, Case{"zone in ((a))", "'zone in ((a))'"}, Case{"team=-a", "'team=-a'"},
        Case{"", "''"}}) {
    auto selector = ParseLabelSelector(c.text);
    ASSERT_FALSE(selector.ok()) << c.text;
    EXPECT_EQ(selector.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(selector.error().field, "label");
    EXPECT_NE(selector.error().message.find(c.part), std::string::npos) << c.text << ": " << selector.error().message;
  }
}

TEST(ParseLabelSelector, LimitsItsSize) {
  std::string text = "k0";
  for (std::size_t i = 1; i < kMaxLabelRequirements; ++i) text += ",k" + std::to_string(i);
  EXPECT_TRUE(ParseLabelSelector(text).ok());
  EXPECT_FALSE(ParseLabelSelector(text + ",one-more").ok());
}

TEST(LabelSelectorMatches, FollowsKubernetes) {
  const Labels labels{{"team", "payments"}, {"tier", "web"}, {"empty", ""}};
  EXPECT_TRUE(Matches(Parsed("team=payments"), labels));
  EXPECT_FALSE(Matches(Parsed("team=billing"), labels));
  EXPECT_TRUE(Matches(Parsed("team!=billing"), labels));
  EXPECT_TRUE(Matches(Parsed("owner!=x"), labels));  // no such label: != holds
  EXPECT_FALSE(Matches(Parsed("tier!=web"), labels));
  EXPECT_TRUE(Matches(Parsed("empty"), labels));
  EXPECT_TRUE(Matches(Parsed("empty="), labels));
  EXPECT_FALSE(Matches(Parsed("owner"), labels));
  EXPECT_TRUE(Matches(Parsed("!owner"), labels));
  EXPECT_FALSE(Matches(Parsed("!team"), labels));
  EXPECT_TRUE(Matches(Parsed("tier in (batch,web)"), labels));
  EXPECT_FALSE(Matches(Parsed("tier notin (batch,web)"), labels));
  EXPECT_TRUE(Matches(Parsed("owner notin (x)"), labels));
  EXPECT_TRUE(Matches(Parsed("team=payments,tier!=batch"), labels));
  EXPECT_FALSE(Matches(Parsed("team=payments,tier=batch"), labels));
  EXPECT_TRUE(Matches(LabelSelector{}, labels));
}

TEST(FormatLabelSelector, WritesWhatParsesBackTheSame) {
  const LabelSelector selector = Parsed("team == payments, !legacy, canary, tier notin (a,b), x!=");
  EXPECT_EQ(FormatLabelSelector(selector), "team=payments,!legacy,canary,tier notin (a,b),x!=");
  EXPECT_EQ(Parsed(FormatLabelSelector(selector)), selector);
}

}  // namespace
}  // namespace jobsched::core
