#include "core/zoned_time.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;

struct ZonedCase {
  const char* utc;
  const char* zone;
  const char* local;
};

// Either side of Berlin's 2026 transitions, a half-hour zone and UTC.
TEST(FormatRfc3339InZone, WritesTheWallClockWithTheOffsetInForceAtThatInstant) {
  const ZonedCase cases[] = {
      {"2026-03-29T00:59:59Z", "Europe/Berlin", "2026-03-29T01:59:59+01:00"},
      {"2026-03-29T01:00:00Z", "Europe/Berlin", "2026-03-29T03:00:00+02:00"},
      {"2026-10-25T00:30:00Z", "Europe/Berlin", "2026-10-25T02:30:00+02:00"},
      {"2026-10-25T01:30:00Z", "Europe/Berlin", "2026-10-25T02:30:00+01:00"},
      {"2026-01-15T12:00:00.250Z", "America/New_York", "2026-01-15T07:00:00.250-05:00"},
      {"2026-01-15T12:00:00Z", "Asia/Kolkata", "2026-01-15T17:30:00+05:30"},
      {"2026-01-15T12:00:00Z", "UTC", "2026-01-15T12:00:00+00:00"},
  };
  for (const ZonedCase& c : cases) {
    auto local = FormatRfc3339InZone(At(c.utc), c.zone, "tz");

    ASSERT_TRUE(local.ok()) << local.error().message;
    EXPECT_EQ(*local, c.local) << c.utc << " in " << c.zone;
  }
}

TEST(FormatRfc3339InZone, RefusesAnUnknownZoneNamingTheField) {
  auto local = FormatRfc3339InZone(At("2026-01-15T12:00:00Z"), "Mars/Olympus", "tz");

  ASSERT_FALSE(local.ok());
  EXPECT_EQ(local.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(local.error().field, "tz");
  EXPECT_NE(local.error().message.find("Mars/Olympus"), std::string::npos);
}

TEST(CheckTimeZone, AcceptsIanaNamesOnly) {
  EXPECT_TRUE(CheckTimeZone("Europe/Berlin", "tz").ok());
  EXPECT_FALSE(CheckTimeZone("CEST+2", "tz").ok());
}

}  // namespace
}  // namespace jobsched::core
