#include "core/backfill.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

// Well after every range below: no range is refused for being in the future.
const TimePoint kNow = At("2027-01-01T00:00:00Z");

Job CronJob(const char* expression, const char* zone) {
  Job job;
  job.id = 1;
  job.schedule = Schedule::Cron(expression, zone).value();
  job.created_at = At("2026-01-01T00:00:00Z");
  return job;
}

std::vector<TimePoint> Instants(std::initializer_list<const char*> texts) {
  std::vector<TimePoint> instants;
  for (const char* text : texts) instants.push_back(At(text));
  return instants;
}

std::vector<TimePoint> Occurrences(const Job& job, const char* from, const char* to) {
  auto occurrences = BackfillOccurrences(job, At(from), At(to), kNow);
  EXPECT_TRUE(occurrences.ok()) << occurrences.error().message;
  return occurrences.ok() ? *occurrences : std::vector<TimePoint>{};
}

// Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST at 01:00Z;
// 2026-10-25 03:00 CEST -> 02:00 CET at 01:00Z.
TEST(BackfillOccurrences, DailyCronInBerlinRunsOnceOnTheDayOfTheSpringGap) {
  const Job job = CronJob("30 2 * * *", "Europe/Berlin");

  // 02:30 does not exist on the 29th: it runs once, when the gap ends.
  EXPECT_EQ(Occurrences(job, "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z"),
            Instants({"2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}));
}

TEST(BackfillOccurrences, DailyCronInBerlinRunsOnceOnTheDayOfTheAutumnOverlap) {
  const Job job = CronJob("30 2 * * *", "Europe/Berlin");

  // 02:30 happens twice on the 25th: it runs at the first (CEST).
  EXPECT_EQ(Occurrences(job, "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z"),
            Instants({"2026-10-23T00:30:00Z", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}));
}

TEST(BackfillOccurrences, HourlyCronInBerlinRunsEveryRealHourAcrossTheSpringGap) {
  const Job job = CronJob("0 * * * *", "Europe/Berlin");

  // 02:00 local does not exist; 03:00 CEST is the next hour, 01:00Z.
  EXPECT_EQ(Occurrences(job, "2026-03-28T22:00:00Z", "2026-03-29T03:00:00Z"),
            Instants({"2026-03-28T22:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z",
                      "2026-03-29T02:00:00Z"}));
}

TEST(BackfillOccurrences, HourlyCronInBerlinIsSilentInTheRepeatedHour) {
  const Job job = CronJob("0 * * * *", "Europe/Berlin");

  // 01:00Z is 02:00 CET, the second 02:00 of the night: it does not run again.
  EXPECT_EQ(Occurrences(job, "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z"),
            Instants({"2026-10-24T22:00:00Z", "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z",
                      "2026-10-25T03:00:00Z"}));
}

TEST(BackfillOccurrences, TheRangeIsHalfOpen) {
  const Job job = CronJob("0 * * * *", "UTC");

  EXPECT_EQ(Occurrences(job, "2026-05-01T10:00:00Z", "2026-05-01T12:00:00Z"),
            Instants({"2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z"}));
}

TEST(BackfillOccurrences, KeepsTheScheduleWindow) {
  Job job = CronJob("0 * * * *", "UTC");
  job.schedule = job.schedule.WithWindow(At("2026-05-01T11:00:00Z"), At("2026-05-01T13:00:00Z"));

  EXPECT_EQ(Occurrences(job, "2026-05-01T09:00:00Z", "2026-05-01T15:00:00Z"),
            Instants({"2026-05-01T11:00:00Z", "2026-05-01T12:00:00Z"}));
}

TEST(BackfillOccurrences, EveryWithoutStartIsInPhaseWithTheNextRun) {
  Job job;
  job.schedule = Schedule::Every(15min);
  job.next_run = At("2026-05-01T12:07:00Z");

  EXPECT_EQ(Occurrences(job, "2026-05-01T11:00:00Z", "2026-05-01T12:00:00Z"),
            Instants({"2026-05-01T11:07:00Z", "2026-05-01T11:22:00Z", "2026-05-01T11:37:00Z", "2026-05-01T11:52:00Z"}));
}

TEST(BackfillOccurrences, EveryWithStartKeepsThePhaseOfStart) {
  Job job;
  job.schedule = Schedule::Every(1h).WithWindow(At("2026-05-01T00:20:00Z"), std::nullopt);

  EXPECT_EQ(Occurrences(job, "2026-05-01T10:00:00Z", "2026-05-01T12:00:00Z"),
            Instants({"2026-05-01T10:20:00Z", "2026-05-01T11:20:00Z"}));
}

TEST(BackfillOccurrences, OneShotJobHasItsInstantWhenTheRangeHoldsIt) {
  Job job;
  job.schedule = Schedule::At(At("2026-05-01T10:00:00Z"));

  EXPECT_EQ(Occurrences(job, "2026-05-01T09:00:00Z", "2026-05-01T11:00:00Z"), Instants({"2026-05-01T10:00:00Z"}));
  EXPECT_TRUE(Occurrences(job, "2026-05-01T10:00:01Z", "2026-05-01T11:00:00Z").empty());
  EXPECT_TRUE(Occurrences(job, "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z").empty());
}

TEST(BackfillOccurrences, NamedIntervalsAreInUtc) {
  Job job;
  job.schedule = Schedule::Interval(NamedInterval::kDaily);

  EXPECT_EQ(Occurrences(job, "2026-05-01T00:00:00Z", "2026-05-03T10:00:00Z"),
            Instants({"2026-05-01T10:00:00Z", "2026-05-02T10:00:00Z"}));
}

TEST(BackfillOccurrences, RefusesARangeThatEndsInTheFuture) {
  const Job job = CronJob("0 * * * *", "UTC");

  auto occurrences =
      BackfillOccurrences(job, At("2026-05-01T00:00:00Z"), At("2026-05-01T12:00:01Z"), At("2026-05-01T12:00:00Z"));

  ASSERT_FALSE(occurrences.ok());
  EXPECT_EQ(occurrences.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(occurrences.error().field, "to");
}

TEST(BackfillOccurrences, RefusesAnEmptyOrReversedRange) {
  const Job job = CronJob("0 * * * *", "UTC");

  for (const char* to : {"2026-05-01T00:00:00Z", "2026-04-30T00:00:00Z"}) {
    auto occurrences = BackfillOccurrences(job, At("2026-05-01T00:00:00Z"), At(to), kNow);

    ASSERT_FALSE(occurrences.ok()) << to;
    EXPECT_EQ(occurrences.error().field, "from");
  }
}

TEST(BackfillOccurrences, RefusesMoreThanTheLimitSayingWhatTheLimitIs) {
  const Job job = CronJob("* * * * *", "UTC");

  // 10,000 minutes fit exactly; one more is refused.
  const TimePoint from = At("2026-05-01T00:00:00Z");
  auto fits = BackfillOccurrences(job, from, from + 10'000min, kNow);
  auto too_many = BackfillOccurrences(job, from, from + 10'001min, kNow);

  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->size(), kMaxBackfillOccurrences);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().field, "to");
  EXPECT_NE(too_many.error().message.find("10000"), std::string::npos) << too_many.error().message;
}

}  // namespace
}  // namespace jobsched::core
