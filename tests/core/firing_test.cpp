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
