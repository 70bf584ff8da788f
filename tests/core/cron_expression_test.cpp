#include "core/cron_expression.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// "2026-03-29T01:00:00Z" -> TimePoint; an optional ".mmm" is kept.
TimePoint Utc(const std::string& text) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millis = 0;
  const int parsed =
      std::sscanf(text.c_str(), "%d-%u-%uT%d:%d:%d.%dZ", &year, &month, &day, &hour, &minute, &second, &millis);
  EXPECT_GE(parsed, 6) << "bad test timestamp " << text;
  return date::sys_days{date::year{year} / month / day} + std::chrono::hours{hour} + minutes{minute} + seconds{second} +
         Milliseconds{millis};
}

// A result as "2026-03-29T01:00:00Z" (with ".mmm" only if the milliseconds are
// not zero, so a stray fraction shows up as a mismatch), or "none".
std::string Format(std::optional<TimePoint> time) {
  if (!time) return "none";
  const auto whole = date::floor<seconds>(*time);
  if (whole == *time) return date::format("%FT%TZ", whole);
  return date::format("%FT%TZ", *time);
}

const date::time_zone* Zone(const char* name) { return name == nullptr ? nullptr : date::locate_zone(name); }

CronExpression MustParse(std::string_view text) {
  auto cron = CronExpression::Parse(text);
  EXPECT_TRUE(cron.ok()) << text << ": " << (cron.ok() ? "" : cron.error().message);
  return cron.ok() ? *cron : *CronExpression::Parse("* * * * *");
}

// The next `count` firings after `after`, each found from the previous one.
std::vector<std::string> NextRuns(std::string_view text, const std::string& after, int count,
                                  const char* zone = nullptr) {
  const CronExpression cron = MustParse(text);
  std::vector<std::string> runs;
  std::optional<TimePoint> time = Utc(after);
  for (int i = 0; i < count && time; ++i) {
    time = cron.NextAfter(*time, Zone(zone));
    runs.push_back(Format(time));
  }
  return runs;
}

using Runs = std::vector<std::string>;

struct ScheduleCase {
  const char* text;
  const char* zone;  // nullptr: UTC
  const char* after;
  Runs expected;
};

void ExpectSchedules(const std::vector<ScheduleCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(NextRuns(c.text, c.after, static_cast<int>(c.expected.size()), c.zone), c.expected)
        << "'" << c.text << "' in " << (c.zone ? c.zone : "UTC") << " after " << c.after;
  }
}

TEST(CronExpression, RejectsMalformedExpressionsNamingFieldAndValue) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "cron: expression is empty"},
      {"   \t ", "cron: expression is empty"},
      {"* * * *", "cron: expected 5 or 6 fields, got 4"},
      {"* * * * * * *", "cron: expected 5 or 6 fields, got 7"},
      {"60 * * * * *", "cron: second field: value 60 out of range 0-59"},
      {"60 * * * *", "cron: minute field: value 60 out of range 0-59"},
      {"* 24 * * *", "cron: hour field: value 24 out of range 0-23"},
      {"* * 0 * *", "cron: day-of-month field: value 0 out of range 1-31"},
      {"* * 32 * *", "cron: day-of-month field: value 32 out of range 1-31"},
      {"* * * 0 *", "cron: month field: value 0 out of range 1-12"},
      {"* * * 13 *", "cron: month field: value 13 out of range 1-12"},
      {"* * * * 8", "cron: day-of-week field: value 8 out of range 0-7"},
      {"99999999999 * * * *", "cron: minute field: value 99999999999 out of range 0-59"},
      {"1-60 * * * *", "cron: minute field: value 60 out of range 0-59"},
      {"*/0 * * * *", "cron: minute field: step 0 out of range 1-60"},
      {"* 0-12/0 * * *", "cron: hour field: step 0 out of range 1-24"},
      {"* */25 * * *", "cron: hour field: step 25 out of range 1-24"},
      {"*/x * * * *", "cron: minute field: bad step 'x'"},
      {"*/ * * * *", "cron: minute field: bad step ''"},
      {"* * * FOO *", "cron: month field: bad value 'FOO'"},
      {"* * * * FUNDAY", "cron: day-of-week field: bad value 'FUNDAY'"},
      {"* MON * * *", "cron: hour field: bad value 'MON'"},
      {"* * * * JAN", "cron: day-of-week field: bad value 'JAN'"},
      {"* * * * 5#3", "cron: day-of-week field: bad value '5#3'"},
      {"? * * * *", "cron: minute field: bad value '?'"},
      {"-1 * * * *", "cron: minute field: bad value '-1'"},
      {"1- * * * *", "cron: minute field: bad value '1-'"},
      {"1-2-3 * * * *", "cron: minute field: bad value '2-3'"},
      {"5-3 * * * *", "cron: minute field: range 5-3 goes backwards"},
      {"* * * * FRI-MON", "cron: day-of-week field: range FRI-MON goes backwards"},
      {"1,,2 * * * *", "cron: minute field: empty list element in '1,,2'"},
      {"1, * * * *", "cron: minute field: empty list element in '1,'"},
      {"* * LW * *", "cron: day-of-month field: bad value 'LW'"},
      {"* * L-31 * *", "cron: day-of-month field: offset in 'L-31' out of range 0-30"},
      {"* * L/2 * *", "cron: day-of-month field: 'L/2' cannot take a step"},
      {"* * * * L", "cron: day-of-week field: bad value 'L'"},
      {"@reboot",
       "cron: unknown macro '@reboot' (expected @yearly, @annually, @monthly, @weekly, "
       "@daily, @midnight or @hourly)"},
      {"@daily 5", "cron: macro @daily takes no further fields"},
  };

  for (const auto& [text, message] : cases) {
    const auto cron = CronExpression::Parse(text);

    ASSERT_FALSE(cron.ok()) << "'" << text << "' parsed";
    EXPECT_EQ(cron.error().code, ErrorCode::kInvalidArgument) << text;
    EXPECT_EQ(cron.error().field, "cron") << text;
    EXPECT_EQ(cron.error().message, message) << text;
  }
}

TEST(CronExpression, RejectsExpressionsThatCanNeverFire) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"0 0 30 2 *", "cron: expression never fires: day-of-month '30' does not occur in month '2'"},
      {"0 0 31 APR,JUN,SEP,NOV *",
       "cron: expression never fires: day-of-month '31' does not occur in month "
       "'APR,JUN,SEP,NOV'"},
      {"0 0 0 L-29 FEB *", "cron: expression never fires: day-of-month 'L-29' does not occur in month 'FEB'"},
  };

  for (const auto& [text, message] : cases) {
    const auto cron = CronExpression::Parse(text);

    ASSERT_FALSE(cron.ok()) << text;
    EXPECT_EQ(cron.error().message, message);
  }
}

TEST(CronExpression, KeepsTheOriginalTextForDisplay) {
  const std::vector<const char*> texts = {" 0  9 * * MON-FRI ", "@Daily", "0 30 9 * * mon-fri"};

  for (const char* text : texts) EXPECT_EQ(MustParse(text).text(), text);
}

TEST(CronExpression, NamesAreCaseInsensitiveAndEqualToTheirNumbers) {
  const std::vector<std::pair<const char*, const char*>> equivalents = {
      {"0 12 * jan,Jun,DEC *", "0 12 * 1,6,12 *"},
      {"0 12 * * mon-FRI", "0 12 * * 1-5"},
      {"0 12 * * Sun", "0 12 * * 0"},
      {"0 12 * * 7", "0 12 * * 0"},
      {"0 12 * * 5-7", "0 12 * * 0,5,6"},
      {"0 12 * FEB-APR/2 *", "0 12 * 2,4 *"},
      {"0 12 ? * *", "0 12 * * *"},
      {"0 12 * * ?", "0 12 * * *"},
      {"0 0 12 * * *", "0 12 * * *"},
  };

  for (const auto& [named, numbered] : equivalents) {
    EXPECT_EQ(NextRuns(named, "2026-01-01T00:00:00Z", 60), NextRuns(numbered, "2026-01-01T00:00:00Z", 60))
        << named << " vs " << numbered;
  }
}

TEST(CronExpression, FollowsRangesStepsAndLists) {
  ExpectSchedules({
      {"*/15 * * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"}},
      {"5-20/5 * * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z", "2026-01-01T00:15:00Z", "2026-01-01T00:20:00Z",
        "2026-01-01T01:05:00Z"}},
      {"50/5 * * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T00:50:00Z", "2026-01-01T00:55:00Z", "2026-01-01T01:50:00Z"}},
      {"1,2,30 * * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:30:00Z", "2026-01-01T01:01:00Z"}},
      {"0 9-17/4 * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T09:00:00Z", "2026-01-01T13:00:00Z", "2026-01-01T17:00:00Z", "2026-01-02T09:00:00Z"}},
      {"0 8-9,17 * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T08:00:00Z", "2026-01-01T09:00:00Z", "2026-01-01T17:00:00Z", "2026-01-02T08:00:00Z"}},
      {"0 0 */10 * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z"}},
      {"0 0 1 */3 *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
      // 2026-01-01 is a Thursday; 1-5/2 is Monday, Wednesday, Friday.
      {"0 0 * * 1-5/2",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z", "2026-01-09T00:00:00Z"}},
  });
}

TEST(CronExpression, HonoursALeadingSecondsField) {
  ExpectSchedules({
      {"*/20 * * * * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z"}},
      {"30 0 12 * * *", nullptr, "2026-01-01T00:00:00Z", {"2026-01-01T12:00:30Z", "2026-01-02T12:00:30Z"}},
      {"0 30 9 * * MON-FRI",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-01T09:30:00Z", "2026-01-02T09:30:00Z", "2026-01-05T09:30:00Z"}},
      {"15,45 59 23 31 12 *", nullptr, "2026-12-31T23:59:20Z", {"2026-12-31T23:59:45Z", "2027-12-31T23:59:15Z"}},
  });
}

TEST(CronExpression, ExpandsEveryMacro) {
  // 2026-05-15 is a Friday.
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"@yearly", "2027-01-01T00:00:00Z"}, {"@annually", "2027-01-01T00:00:00Z"}, {"@monthly", "2026-06-01T00:00:00Z"},
      {"@weekly", "2026-05-17T00:00:00Z"}, {"@daily", "2026-05-16T00:00:00Z"},    {"@midnight", "2026-05-16T00:00:00Z"},
      {"@hourly", "2026-05-15T11:00:00Z"}, {"@DAILY", "2026-05-16T00:00:00Z"},
  };

  for (const auto& [macro, expected] : cases) {
    EXPECT_EQ(NextRuns(macro, "2026-05-15T10:20:30Z", 1), Runs{expected}) << macro;
  }
}

TEST(CronExpression, LastDayOfMonthFollowsMonthLengths) {
  ExpectSchedules({
      {"0 0 L * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z"}},
      {"0 0 L 2 *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z", "2028-02-29T00:00:00Z"}},
      {"0 0 L-1 * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-30T00:00:00Z"}},
      {"0 0 1,l * *",
       nullptr,
       "2026-01-01T00:00:00Z",
       {"2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z"}},
      // Only leap Februaries have a day 29 - 28 = 1st counted from the end.
      {"0 0 L-28 2 *", nullptr, "2026-01-01T00:00:00Z", {"2028-02-01T00:00:00Z"}},
  });
}

TEST(CronExpression, WaitsForTheTwentyNinthOfFebruary) {
  ExpectSchedules({
      {"0 0 29 2 *", nullptr, "2026-01-01T00:00:00Z", {"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
      // 2100 is not a leap year: eight years between leap days.
      {"0 0 29 2 *", nullptr, "2096-03-01T00:00:00Z", {"2104-02-29T00:00:00Z"}},
  });
}

TEST(CronExpression, FiresWhenEitherDayFieldMatchesIfBothAreRestricted) {
  // April 2026: Fridays are the 3rd, 10th, 17th and 24th; the 13th is a Monday.
  ExpectSchedules({
      {"0 0 13 * FRI",
       nullptr,
       "2026-04-01T00:00:00Z",
       {"2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z", "2026-04-17T00:00:00Z",
        "2026-04-24T00:00:00Z", "2026-05-01T00:00:00Z"}},
      {"0 0 13 * *", nullptr, "2026-04-01T00:00:00Z", {"2026-04-13T00:00:00Z", "2026-05-13T00:00:00Z"}},
      {"0 0 13 * ?", nullptr, "2026-04-01T00:00:00Z", {"2026-04-13T00:00:00Z", "2026-05-13T00:00:00Z"}},
      {"0 0 * * FRI",
       nullptr,
       "2026-04-01T00:00:00Z",
       {"2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-17T00:00:00Z"}},
      {"0 0 ? * FRI",
       nullptr,
       "2026-04-01T00:00:00Z",
       {"2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-17T00:00:00Z"}},
  });
}

TEST(CronExpression, IsStrictlyAfterTheGivenInstant) {
  const std::vector<std::tuple<const char*, const char*, const char*>> cases = {
      {"0 * * * *", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"},
      {"0 * * * *", "2026-06-01T09:59:59.999Z", "2026-06-01T10:00:00Z"},
      {"0 * * * *", "2026-06-01T10:00:00.001Z", "2026-06-01T11:00:00Z"},
      {"* * * * * *", "2026-06-01T10:00:00Z", "2026-06-01T10:00:01Z"},
      {"* * * * * *", "2026-06-01T10:00:00.500Z", "2026-06-01T10:00:01Z"},
  };

  for (const auto& [text, after, expected] : cases) {
    EXPECT_EQ(NextRuns(text, after, 1), Runs{expected}) << text << " after " << after;
  }
}

TEST(CronExpression, TreatsNullAndUtcZonesAlike) {
  const CronExpression cron = MustParse("0 30 9 * * MON-FRI");
  const TimePoint after = Utc("2026-03-27T12:00:00Z");

  const auto in_null = cron.NextAfter(after, nullptr);

  EXPECT_EQ(Format(in_null), "2026-03-30T09:30:00Z");
  EXPECT_EQ(cron.NextAfter(after, Zone("UTC")), in_null);
  EXPECT_EQ(cron.NextAfter(after, Zone("Etc/UTC")), in_null);
}

TEST(CronExpression, WalksAcrossTheYearBoundaryInLocalTime) {
  ExpectSchedules({
      {"0 23 * * *",
       "Europe/Berlin",
       "2026-12-30T00:00:00Z",
       {"2026-12-30T22:00:00Z", "2026-12-31T22:00:00Z", "2027-01-01T22:00:00Z"}},
      // Local New Year in Berlin is still the old year in UTC.
      {"@yearly", "Europe/Berlin", "2026-06-01T00:00:00Z", {"2026-12-31T23:00:00Z", "2027-12-31T23:00:00Z"}},
      {"0 21 L * *",
       "America/New_York",
       "2026-11-15T00:00:00Z",
       {"2026-12-01T02:00:00Z", "2027-01-01T02:00:00Z", "2027-02-01T02:00:00Z"}},
  });
}

// Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST at 01:00Z;
// 2026-10-25 03:00 CEST -> 02:00 CET at 01:00Z.
TEST(CronExpression, FiresOnceAtTheEndOfASpringForwardGap) {
  ExpectSchedules({
      {"30 2 * * *",
       "Europe/Berlin",
       "2026-03-28T00:00:00Z",
       {"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
      {"*/15 2 * * *",
       "Europe/Berlin",
       "2026-03-29T00:00:00Z",
       {"2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T00:15:00Z"}},
      {"0 * * * *",
       "Europe/Berlin",
       "2026-03-28T23:30:00Z",
       {"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}},
      {"30 2,3 * * *",
       "Europe/Berlin",
       "2026-03-29T00:00:00Z",
       {"2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}},
      // America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT at 07:00Z.
      {"30 2 * * *",
       "America/New_York",
       "2026-03-07T00:00:00Z",
       {"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
      // Australia/Lord_Howe: 2026-10-04 02:00 +10:30 -> 02:30 +11 at 2026-10-03T15:30Z.
      {"15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", {"2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"}},
      {"*/10 * * * *",
       "Australia/Lord_Howe",
       "2026-10-03T15:15:00Z",
       {"2026-10-03T15:20:00Z", "2026-10-03T15:30:00Z", "2026-10-03T15:40:00Z"}},
  });
}

// A gap fires at the instant it ends: asked from any earlier instant, even
// within the last second before it, that instant comes next (fuzz/cron_fuzz
// found it skipped from there).
TEST(CronExpression, FiresAtTheEndOfAGapWhenAskedInItsLastSecond) {
  ExpectSchedules({
      {"30 2 * * *", "Europe/Berlin", "2026-03-29T00:59:59Z", {"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
      {"30 2 * * *", "Europe/Berlin", "2026-03-29T00:59:59.999Z", {"2026-03-29T01:00:00Z"}},
      {"15 2 * * *", "Australia/Lord_Howe", "2026-10-03T15:29:59.500Z", {"2026-10-03T15:30:00Z"}},
      // At the instant a fall-back overlap begins, the repeated wall times stay silent.
      {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:59:59Z", {"2026-10-26T01:30:00Z"}},
  });
}

TEST(CronExpression, FiresOnceAtTheFirstOccurrenceOfARepeatedTime) {
  ExpectSchedules({
      {"30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", {"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
      {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:10:00Z", {"2026-10-25T00:30:00Z"}},
      // Hourly jobs are silent in the repeated hour (01:00Z is 02:00 CET again).
      {"0 * * * *",
       "Europe/Berlin",
       "2026-10-24T23:30:00Z",
       {"2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"}},
      // Starting inside the repeated pass skips to the end of the overlap.
      {"*/15 * * * *", "Europe/Berlin", "2026-10-25T01:10:00Z", {"2026-10-25T02:00:00Z"}},
      // America/New_York: 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z.
      {"30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", {"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
      {"0 * * * *",
       "America/New_York",
       "2026-11-01T04:30:00Z",
       {"2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"}},
      // Australia/Lord_Howe: 2026-04-05 02:00 +11 -> 01:30 +10:30 at 2026-04-04T15:00Z.
      {"45 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00Z", {"2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"}},
      {"*/15 * * * *",
       "Australia/Lord_Howe",
       "2026-04-04T14:40:00Z",
       {"2026-04-04T14:45:00Z", "2026-04-04T15:30:00Z", "2026-04-04T15:45:00Z"}},
  });
}

TEST(CronExpression, ReturnsNothingBeyondTheYear9999) {
  const CronExpression leap_day = MustParse("0 0 29 2 *");
  const CronExpression daily = MustParse("@daily");

  EXPECT_EQ(leap_day.NextAfter(Utc("9997-01-01T00:00:00Z"), nullptr), std::nullopt);
  EXPECT_EQ(Format(daily.NextAfter(Utc("9999-12-30T12:00:00Z"), nullptr)), "9999-12-31T00:00:00Z");
  EXPECT_EQ(daily.NextAfter(Utc("9999-12-31T12:00:00Z"), nullptr), std::nullopt);
  EXPECT_EQ(daily.NextAfter(TimePoint::max(), nullptr), std::nullopt);
}

// An independent oracle: steps through every UTC minute of a window and decides
// from the zone's offsets alone whether the documented rules fire there.
struct LocalFields {
  unsigned month, day, weekday;
  int hour, minute;
};

LocalFields FieldsOf(date::local_seconds local) {
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const auto time = date::hh_mm_ss<seconds>(local - day);
  return {static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), date::weekday{day}.c_encoding(),
          static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count())};
}

std::vector<std::string> BruteForceRuns(const std::function<bool(const LocalFields&)>& matches,
                                        const date::time_zone* zone, date::sys_seconds from, date::sys_seconds to) {
  std::vector<std::string> runs;
  for (date::sys_seconds t = from + minutes{1}; t <= to; t += minutes{1}) {
    const date::sys_info info = zone->get_info(t);
    const date::sys_info before = zone->get_info(info.begin - seconds{1});
    const date::local_seconds local{(t + info.offset).time_since_epoch()};
    const date::local_seconds overlap_end{(info.begin + before.offset).time_since_epoch()};
    const bool repeated = before.offset > info.offset && local < overlap_end;
    bool fires = !repeated && matches(FieldsOf(local));
    if (t == info.begin && before.offset < info.offset) {
      for (auto skipped = local - (info.offset - before.offset); skipped < local; skipped += minutes{1}) {
        fires = fires || matches(FieldsOf(skipped));
      }
    }
    if (fires) runs.push_back(Format(TimePoint{t}));
  }
  return runs;
}

TEST(CronExpression, AgreesWithAMinuteByMinuteOracleAroundTransitions) {
  struct OracleCase {
    const char* text;
    std::function<bool(const LocalFields&)> matches;
  };
  const std::vector<OracleCase> cases = {
      {"30 2 * * *", [](const LocalFields& f) { return f.hour == 2 && f.minute == 30; }},
      {"*/15 2 * * *", [](const LocalFields& f) { return f.hour == 2 && f.minute % 15 == 0; }},
      {"0 * * * *", [](const LocalFields& f) { return f.minute == 0; }},
      {"*/15 * * * *", [](const LocalFields& f) { return f.minute % 15 == 0; }},
      {"45 1 * * *", [](const LocalFields& f) { return f.hour == 1 && f.minute == 45; }},
      {"*/10 1-3 * * SUN",
       [](const LocalFields& f) { return f.weekday == 0 && f.hour >= 1 && f.hour <= 3 && f.minute % 10 == 0; }},
      {"0 0 13 * FRI",
       [](const LocalFields& f) { return (f.day == 13 || f.weekday == 5) && f.hour == 0 && f.minute == 0; }},
  };
  struct Window {
    const char* zone;
    const char* from;
    const char* to;
  };
  // A few days around each 2026 transition, and a plain month in UTC.
  const std::vector<Window> windows = {
      {"Europe/Berlin", "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z"},
      {"Europe/Berlin", "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z"},
      {"America/New_York", "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"},
      {"America/New_York", "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z"},
      {"Australia/Lord_Howe", "2026-04-02T00:00:00Z", "2026-04-07T00:00:00Z"},
      {"Australia/Lord_Howe", "2026-10-01T00:00:00Z", "2026-10-06T00:00:00Z"},
      {"UTC", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
  };

  for (const auto& c : cases) {
    const CronExpression cron = MustParse(c.text);
    for (const auto& window : windows) {
      const date::time_zone* zone = Zone(window.zone);
      const auto end = date::floor<seconds>(Utc(window.to));
      std::vector<std::string> runs;
      for (auto t = cron.NextAfter(Utc(window.from), zone); t && *t <= end; t = cron.NextAfter(*t, zone)) {
        runs.push_back(Format(t));
      }

      EXPECT_EQ(runs, BruteForceRuns(c.matches, zone, date::floor<seconds>(Utc(window.from)), end))
          << c.text << " in " << window.zone << " from " << window.from;
    }
  }
}

// Issue #14: the minimum period applies to cron too, through the shortest
// wall-clock gap between two firings (a lower bound: days are not looked at).
TEST(CronExpression, KnowsItsShortestGapBetweenFirings) {
  const std::pair<const char*, std::int64_t> cases[] = {
      {"* * * * * *", 1},        {"*/5 * * * * *", 5},       {"0,30 * * * * *", 30}, {"0,50 * * * * *", 10},
      {"0 * * * * *", 60},       {"* * * * *", 60},          {"*/15 * * * *", 900},  {"0 * * * *", 3600},
      {"55 0-23/2 * * *", 7200}, {"0 9 * * MON-FRI", 86400}, {"0 0,23 * * *", 3600}, {"30 59 23 * * *", 86400},
      {"0 0 1 1 *", 86400},      {"@hourly", 3600},          {"58,59 0 0 * * *", 1}, {"0 59,0 * * * *", 60},
  };
  for (const auto& [text, seconds] : cases) {
    EXPECT_EQ(MustParse(text).MinimumGap(), std::chrono::seconds(seconds)) << text;
  }
}

}  // namespace
}  // namespace jobsched::core
