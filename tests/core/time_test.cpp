#include "core/time.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

TEST(Rfc3339, FormatsWholeSecondsWithoutFraction) {
  EXPECT_EQ(FormatRfc3339(FromUnixMs(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMs(1'774'746'000'000)), "2026-03-29T01:00:00Z");
}

TEST(Rfc3339, FormatsMillisecondsWhenPresent) {
  EXPECT_EQ(FormatRfc3339(FromUnixMs(1'774'746'000'250)), "2026-03-29T01:00:00.250Z");
}

TEST(Rfc3339, ParsesWhatItFormats) {
  for (std::int64_t ms : {0LL, 1'774'746'000'000LL, 1'774'746'000'250LL, 4'102'444'799'999LL}) {
    auto parsed = ParseRfc3339(FormatRfc3339(FromUnixMs(ms)), "at");

    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(ToUnixMs(*parsed), ms);
  }
}

TEST(Rfc3339, AppliesNumericOffsets) {
  auto parsed = ParseRfc3339("2026-03-29T03:00:00+02:00", "at");

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(FormatRfc3339(*parsed), "2026-03-29T01:00:00Z");
}

TEST(Rfc3339, TruncatesFractionsToMilliseconds) {
  auto parsed = ParseRfc3339("2026-03-29T01:00:00.123456789Z", "at");

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(FormatRfc3339(*parsed), "2026-03-29T01:00:00.123Z");
}

TEST(Rfc3339, RejectsMalformedTextNamingTheField) {
  for (const char* text :
       {"", "2026-03-29", "2026-03-29T01:00:00", "2026-02-30T00:00:00Z", "2026-03-29T24:00:00Z", "2026-03-29T01:00:60Z",
        "2026-03-29T01:00:00Zjunk", "1969-12-31T23:59:59Z", "2026-3-29T01:00:00Z", "2026-03-29T01:00:00+2:00"}) {
    auto parsed = ParseRfc3339(text, "start_at");

    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().field, "start_at");
  }
}

}  // namespace
}  // namespace jobsched::core
