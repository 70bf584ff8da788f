#include "core/text.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

TEST(EqualsIgnoringCase, ComparesAsciiLettersWithoutCase) {
  EXPECT_TRUE(EqualsIgnoringCase("Content-Type", "content-type"));
  EXPECT_TRUE(EqualsIgnoringCase("", ""));
  EXPECT_FALSE(EqualsIgnoringCase("content-type", "content-typ"));
  EXPECT_FALSE(EqualsIgnoringCase("a-b", "a_b"));
}

TEST(SplitList, TrimsEachEntryAndKeepsEmptyOnesBetweenCommas) {
  EXPECT_EQ(SplitList(""), std::vector<std::string_view>{});
  EXPECT_EQ(SplitList("a"), std::vector<std::string_view>{"a"});
  EXPECT_EQ(SplitList(" a ,\tb, c "), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(SplitList("a,,b,"), (std::vector<std::string_view>{"a", "", "b"}));
}

}  // namespace
}  // namespace jobsched::core
