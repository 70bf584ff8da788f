#include "core/firing.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

Job DueJob(Schedule schedule, const char* next_run) {
  Job job;
  job.id = 1;
  job.schedule = std::move(schedule);
  job.next_run = At(next_run);
  return job;
}

TEST(PlanFiring, FiresTheDueOccurrenceAndAdvancesToTheNext) {
  const Job job = DueJob(Schedule::Interval(NamedInterval::kHourly), "2026-11-27T10:00:00Z");

  const FirePlan plan = PlanFiring(job, At("2026-11-27T10:00:00.003Z"));

  ASSERT_EQ(plan.occurrences.size(), 1u);
  EXPECT_EQ(plan.occurrences[0], At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(plan.last_run, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(plan.next_run, At("2026-11-27T11:00:00Z"));
}

TEST(PlanFiring, AfterDowntimeFiresOnceThenContinuesInTheFuture) {
  // Hourly job, service down from 10:00 to 13:30: one catch-up run.
  const Job job = DueJob(Schedule::Interval(NamedInterval::kHourly), "2026-11-27T10:00:00Z");

  const FirePlan plan = PlanFiring(job, At("2026-11-27T13:30:00Z"));

  ASSERT_EQ(plan.occurrences.size(), 1u);
  EXPECT_EQ(plan.occurrences[0], At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(plan.next_run, At("2026-11-27T14:00:00Z"));
}

TEST(PlanFiring, EveryScheduleKeepsItsPhaseAfterDowntime) {
  const Job job = DueJob(Schedule::Every(15min), "2026-11-27T10:05:00Z");

  const FirePlan plan = PlanFiring(job, At("2026-11-27T11:00:00Z"));

  EXPECT_EQ(plan.next_run, At("2026-11-27T11:05:00Z"));
}

TEST(PlanFiring, EveryScheduleDueExactlyNowMovesOnePeriod) {
  const Job job = DueJob(Schedule::Every(1s), "2026-11-27T10:00:00Z");

  const FirePlan plan = PlanFiring(job, At("2026-11-27T10:00:00Z"));

  EXPECT_EQ(plan.next_run, At("2026-11-27T10:00:01Z"));
}

// An hourly job, the service down from 10:00 to 13:30: occurrences 10:00,
// 11:00, 12:00 and 13:00 were missed.
struct MisfireCase {
  MisfirePolicy policy;
  std::vector<const char*> run;
  std::vector<const char*> skipped;
};

void PrintTo(const MisfireCase& c, std::ostream* out) { *out << ToString(c.policy); }

class PlanFiringAfterDowntime : public ::testing::TestWithParam<MisfireCase> {};

TEST_P(PlanFiringAfterDowntime, FollowsTheMisfirePolicy) {
  Job job = DueJob(Schedule::Interval(NamedInterval::kHourly), "2026-11-27T10:00:00Z");
  job.misfire = GetParam().policy;
  job.catchup_window = 2h;

  const FirePlan plan = PlanFiring(job, At("2026-11-27T13:30:00Z"));

  std::vector<TimePoint> run;
  for (const char* t : GetParam().run) run.push_back(At(t));
  std::vector<TimePoint> skipped;
  for (const auto& s : plan.skipped) skipped.push_back(s.scheduled_for);
  std::vector<TimePoint> expected_skipped;
  for (const char* t : GetParam().skipped) expected_skipped.push_back(At(t));
  EXPECT_EQ(plan.occurrences, run);
  EXPECT_EQ(skipped, expected_skipped);
  EXPECT_EQ(plan.next_run, At("2026-11-27T14:00:00Z"));
  for (const auto& s : plan.skipped) EXPECT_NE(s.reason.find("missed"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Policies, PlanFiringAfterDowntime,
    ::testing::Values(
        MisfireCase{MisfirePolicy::kRunOnce, {"2026-11-27T10:00:00Z"},
                    {"2026-11-27T11:00:00Z", "2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
        MisfireCase{MisfirePolicy::kSkip, {},
                    {"2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
        MisfireCase{MisfirePolicy::kRunAll, {"2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"},
                    {"2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"}}));

TEST(PlanFiring, LateButNotMissedOccurrencesAllRun) {
  // An every-second job handled 2.5 s late: late, not missed (under a minute).
  Job job = DueJob(Schedule::Every(1s), "2026-11-27T10:00:00Z");
  job.misfire = MisfirePolicy::kSkip;

  const FirePlan plan = PlanFiring(job, At("2026-11-27T10:00:02.500Z"));

  EXPECT_EQ(plan.occurrences, (std::vector<TimePoint>{At("2026-11-27T10:00:00Z"), At("2026-11-27T10:00:01Z"),
                                                      At("2026-11-27T10:00:02Z")}));
  EXPECT_TRUE(plan.skipped.empty());
  EXPECT_EQ(plan.last_run, At("2026-11-27T10:00:02Z"));
  EXPECT_EQ(plan.next_run, At("2026-11-27T10:00:03Z"));
}

TEST(PlanFiring, AJobFarBehindLooksAtABoundedNumberOfOccurrences) {
  Job job = DueJob(Schedule::Every(1s), "2026-11-27T10:00:00Z");
  job.misfire = MisfirePolicy::kSkip;

  const FirePlan plan = PlanFiring(job, At("2026-11-28T10:00:00.500Z"));

  EXPECT_EQ(plan.skipped.size() + plan.occurrences.size(), kMaxOccurrencesPerFiring);
  EXPECT_NE(plan.skipped.back().reason.find("not listed"), std::string::npos);
  EXPECT_EQ(plan.next_run, At("2026-11-28T10:00:01Z"));
}

TEST(PlanFiring, ScheduleThatEndsLeavesNoNextRun) {
  const Job job = DueJob(
      Schedule::Interval(NamedInterval::kHourlyForToday).WithWindow(std::nullopt, At("2026-11-28T00:00:00Z")),
      "2026-11-27T23:00:00Z");

  const FirePlan plan = PlanFiring(job, At("2026-11-27T23:00:00Z"));

  EXPECT_EQ(plan.occurrences.size(), 1u);
  EXPECT_EQ(plan.next_run, std::nullopt);
}

}  // namespace
}  // namespace jobsched::core
