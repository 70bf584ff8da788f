#include "core/schedule.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

struct IntervalCase {
  NamedInterval interval;
  const char* now;
  const char* first_run;
  const char* second_run;
};

void PrintTo(const IntervalCase& c, std::ostream* out) { *out << ToString(c.interval) << " from " << c.now; }

class NamedIntervalSchedule : public ::testing::TestWithParam<IntervalCase> {};

TEST_P(NamedIntervalSchedule, FiresAtItsDocumentedTimes) {
  const IntervalCase& c = GetParam();
  const Schedule schedule = Schedule::Interval(c.interval);

  const auto first = schedule.FirstRun(At(c.now));
  const auto second = schedule.NextAfter(*first);

  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(FormatRfc3339(*first), c.first_run);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(FormatRfc3339(*second), c.second_run);
}

// 2026-11-27 is a Friday; 2026-11-30 a Monday.
INSTANTIATE_TEST_SUITE_P(
    Presets, NamedIntervalSchedule,
    ::testing::Values(
        IntervalCase{NamedInterval::kHourly, "2026-11-27T09:47:12Z", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"},
        IntervalCase{NamedInterval::kHourly, "2026-11-27T23:00:00Z", "2026-11-28T00:00:00Z", "2026-11-28T01:00:00Z"},
        IntervalCase{NamedInterval::kDaily, "2026-11-27T09:59:59.999Z", "2026-11-27T10:00:00Z", "2026-11-28T10:00:00Z"},
        IntervalCase{NamedInterval::kDaily, "2026-11-27T10:00:00Z", "2026-11-28T10:00:00Z", "2026-11-29T10:00:00Z"},
        IntervalCase{NamedInterval::kWeekly, "2026-11-27T09:47:00Z", "2026-11-30T10:00:00Z", "2026-12-07T10:00:00Z"},
        IntervalCase{NamedInterval::kWeekly, "2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z", "2026-12-07T10:00:00Z"},
        IntervalCase{NamedInterval::kWeekly, "2026-11-30T10:00:00Z", "2026-12-07T10:00:00Z", "2026-12-14T10:00:00Z"},
        IntervalCase{NamedInterval::kMonthly, "2026-11-27T09:47:00Z", "2026-12-01T10:00:00Z", "2027-01-01T10:00:00Z"},
        IntervalCase{NamedInterval::kMonthly, "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "2027-01-01T10:00:00Z"}));

TEST(NamedIntervals, RoundTripThroughTheirNames) {
  for (NamedInterval interval : {NamedInterval::kHourly, NamedInterval::kDaily, NamedInterval::kWeekly,
                                 NamedInterval::kMonthly, NamedInterval::kHourlyForToday}) {
    EXPECT_EQ(ParseNamedInterval(ToString(interval)), interval);
  }
  EXPECT_FALSE(ParseNamedInterval("Weekly").has_value());
  EXPECT_FALSE(ParseNamedInterval("yearly").has_value());
}

TEST(EverySchedule, FirstRunIsOnePeriodAfterCreation) {
  const Schedule schedule = Schedule::Every(15min);

  EXPECT_EQ(schedule.FirstRun(At("2026-11-27T09:47:12.345Z")), At("2026-11-27T10:02:12.345Z"));
}

TEST(EverySchedule, NextRunIsOnePeriodAfterTheOccurrence) {
  const Schedule schedule = Schedule::Every(90min);

  EXPECT_EQ(schedule.NextAfter(At("2026-11-27T23:00:00Z")), At("2026-11-28T00:30:00Z"));
}

TEST(EverySchedule, KeepsThePhaseOfItsStartAt) {
  const Schedule schedule = Schedule::Every(1h).WithWindow(At("2026-11-27T08:30:00Z"), std::nullopt);

  EXPECT_EQ(schedule.FirstRun(At("2026-11-27T09:47:00Z")), At("2026-11-27T10:30:00Z"));
  EXPECT_EQ(schedule.FirstRun(At("2026-11-27T07:00:00Z")), At("2026-11-27T08:30:00Z"));
  EXPECT_EQ(schedule.FirstRun(At("2026-11-27T09:30:00Z")), At("2026-11-27T10:30:00Z"));
}

TEST(ScheduleWindow, EndAtIsExclusive) {
  const Schedule schedule =
      Schedule::Interval(NamedInterval::kHourly).WithWindow(std::nullopt, At("2026-11-28T00:00:00Z"));

  EXPECT_EQ(schedule.NextAfter(At("2026-11-27T22:00:00Z")), At("2026-11-27T23:00:00Z"));
  EXPECT_EQ(schedule.NextAfter(At("2026-11-27T23:00:00Z")), std::nullopt);
  EXPECT_EQ(schedule.FirstRun(At("2026-11-28T00:00:00Z")), std::nullopt);
}

TEST(ScheduleWindow, CalendarScheduleWaitsForStartAt) {
  const Schedule schedule =
      Schedule::Interval(NamedInterval::kDaily).WithWindow(At("2026-12-24T10:00:00Z"), std::nullopt);

  EXPECT_EQ(schedule.FirstRun(At("2026-11-27T09:00:00Z")), At("2026-12-24T10:00:00Z"));
}

TEST(ScheduleRestore, RebuildsWhatItStored) {
  const Schedule original = Schedule::Every(90min).WithWindow(At("2026-11-27T08:30:00Z"), std::nullopt);

  auto restored = Schedule::Restore(ToString(original.kind()), original.expression(), original.timezone(),
                                    original.start_at(), original.end_at());

  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, original);
}

TEST(ScheduleRestore, RebuildsCronWithItsZoneAndOneShots) {
  auto cron = Schedule::Cron("0 30 9 * * MON-FRI", "Europe/Berlin");
  ASSERT_TRUE(cron.ok());
  for (const Schedule& original : {*cron, Schedule::At(At("2026-12-24T18:00:00Z"))}) {
    auto restored = Schedule::Restore(ToString(original.kind()), original.expression(), original.timezone(),
                                      original.start_at(), original.end_at());

    ASSERT_TRUE(restored.ok()) << original.expression();
    EXPECT_EQ(*restored, original);
    EXPECT_EQ(restored->FirstRun(At("2026-11-27T09:00:00Z")), original.FirstRun(At("2026-11-27T09:00:00Z")));
  }
}

TEST(CronSchedule, FiresInItsTimeZone) {
  // Mondays 10:00 in Berlin: 09:00Z in winter (CET), 08:00Z in summer (CEST).
  auto schedule = Schedule::Cron("0 10 * * MON", "Europe/Berlin");
  ASSERT_TRUE(schedule.ok());

  EXPECT_EQ(schedule->FirstRun(At("2026-11-27T09:47:00Z")), At("2026-11-30T09:00:00Z"));
  EXPECT_EQ(schedule->FirstRun(At("2026-06-01T00:00:00Z")), At("2026-06-01T08:00:00Z"));
  EXPECT_EQ(schedule->NextAfter(At("2026-11-30T09:00:00Z")), At("2026-12-07T09:00:00Z"));
}

TEST(CronSchedule, DefaultsToUtcAndRejectsUnknownZones) {
  auto utc = Schedule::Cron("0 10 * * *", "");
  auto unknown = Schedule::Cron("0 10 * * *", "Mars/Olympus_Mons");
  auto bad = Schedule::Cron("0 25 * * *", "UTC");

  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->timezone(), "UTC");
  EXPECT_EQ(utc->FirstRun(At("2026-11-27T09:47:00Z")), At("2026-11-27T10:00:00Z"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "timezone");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "cron");
}

TEST(CronSchedule, MissedOccurrencesAreSkippedToTheFirstAfterNow) {
  auto schedule = Schedule::Cron("*/15 * * * *", "UTC");
  ASSERT_TRUE(schedule.ok());

  EXPECT_EQ(schedule->OccurrenceAfter(At("2026-11-27T10:00:00Z"), At("2026-11-27T13:07:00Z")),
            At("2026-11-27T13:15:00Z"));
}

TEST(AtSchedule, FiresOnceAtItsInstant) {
  const Schedule schedule = Schedule::At(At("2026-12-24T18:00:00Z"));

  EXPECT_EQ(schedule.FirstRun(At("2026-11-27T09:47:00Z")), At("2026-12-24T18:00:00Z"));
  EXPECT_EQ(schedule.NextAfter(At("2026-12-24T18:00:00Z")), std::nullopt);
  EXPECT_EQ(schedule.OccurrenceAfter(At("2026-12-24T18:00:00Z"), At("2026-12-25T00:00:00Z")), std::nullopt);
}

TEST(ScheduleRestore, ReportsACorruptRowAsInternal) {
  auto restored = Schedule::Restore("interval", "fortnightly", "", std::nullopt, std::nullopt);

  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace jobsched::core
