#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

TEST(DecodeUtf8, ReadsEveryLengthOfSequence) {
  auto decoded = DecodeUtf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");

  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (std::vector<char32_t>{U'a', U'\u00e9', U'\u20ac', U'\U0001F600'}));
}

TEST(DecodeUtf8, RejectsMalformedInput) {
  for (const char* bad : {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80"}) {
    EXPECT_FALSE(DecodeUtf8(bad).has_value()) << bad;
  }
}

TEST(ToValidUtf8, ReplacesOnlyTheBadBytes) {
  EXPECT_EQ(ToValidUtf8("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(ToValidUtf8("a\xff"
                        "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(ToValidUtf8("\xc3"), "\xef\xbf\xbd");
}

}  // namespace
}  // namespace jobsched::core
