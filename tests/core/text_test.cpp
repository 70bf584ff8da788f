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

TEST(PercentEncode, KeepsUnreservedCharactersAndEscapesEveryOtherByte) {
  EXPECT_EQ(PercentEncode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(PercentEncode("a b+c&d=e/f"), "a%20b%2Bc%26d%3De%2Ff");
  EXPECT_EQ(PercentEncode("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

}  // namespace
}  // namespace jobsched::core
