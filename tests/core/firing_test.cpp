#include "core/firing.hpp"

#include <gtest/gtest.h>

#include <set>

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
  job.overlap = OverlapPolicy::kAllow;  // see PlanFiringWithOverlap

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

INSTANTIATE_TEST_SUITE_P(Policies, PlanFiringAfterDowntime,
                         ::testing::Values(MisfireCase{MisfirePolicy::kRunOnce,
                                                       {"2026-11-27T10:00:00Z"},
                                                       {"2026-11-27T11:00:00Z", "2026-11-27T12:00:00Z",
                                                        "2026-11-27T13:00:00Z"}},
                                           MisfireCase{MisfirePolicy::kSkip,
                                                       {},
                                                       {"2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z",
                                                        "2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
                                           MisfireCase{MisfirePolicy::kRunAll,
                                                       {"2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"},
                                                       {"2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"}}));

// The same downtime (10:00 to 13:30, hourly, catchup_window 2h, misfire
// run_all: 12:00 and 13:00 would run) under each overlap policy, with and
// without a run of the job still unfinished.
struct OverlapCase {
  OverlapPolicy overlap;
  bool run_in_progress;
  std::vector<const char*> run;
};

void PrintTo(const OverlapCase& c, std::ostream* out) {
  *out << ToString(c.overlap) << (c.run_in_progress ? " while a run is unfinished" : "");
}

class PlanFiringWithOverlap : public ::testing::TestWithParam<OverlapCase> {};

TEST_P(PlanFiringWithOverlap, FollowsTheOverlapPolicy) {
  Job job = DueJob(Schedule::Interval(NamedInterval::kHourly), "2026-11-27T10:00:00Z");
  job.misfire = MisfirePolicy::kRunAll;
  job.catchup_window = 2h;
  job.overlap = GetParam().overlap;
  const std::optional<RunId> in_progress = GetParam().run_in_progress ? std::optional<RunId>(41) : std::nullopt;

  const FirePlan plan = PlanFiring(job, At("2026-11-27T13:30:00Z"), in_progress);

  std::vector<TimePoint> run;
  for (const char* t : GetParam().run) run.push_back(At(t));
  EXPECT_EQ(plan.occurrences, run);
  // Every occurrence is accounted for: run or skipped, never lost.
  EXPECT_EQ(plan.occurrences.size() + plan.skipped.size(), 4u);
  EXPECT_EQ(plan.next_run, At("2026-11-27T14:00:00Z"));
  for (const auto& s : plan.skipped) {
    if (s.scheduled_for < At("2026-11-27T11:30:00Z")) continue;  // beyond the catchup window
    EXPECT_NE(s.reason.find("overlap skip"), std::string::npos) << s.reason;
    if (GetParam().run_in_progress) {
      EXPECT_NE(s.reason.find("run 41 "), std::string::npos) << s.reason;
    }
  }
  if (plan.occurrences.empty()) {
    EXPECT_EQ(plan.last_run, std::nullopt);
  } else {
    EXPECT_EQ(plan.last_run, plan.occurrences.back());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, PlanFiringWithOverlap,
    ::testing::Values(OverlapCase{OverlapPolicy::kAllow, false, {"2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
                      OverlapCase{OverlapPolicy::kAllow, true, {"2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
                      OverlapCase{OverlapPolicy::kQueue, false, {"2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
                      OverlapCase{OverlapPolicy::kQueue, true, {"2026-11-27T12:00:00Z", "2026-11-27T13:00:00Z"}},
                      // skip: the first catch-up runs, the second would overlap it.
                      OverlapCase{OverlapPolicy::kSkip, false, {"2026-11-27T12:00:00Z"}},
                      OverlapCase{OverlapPolicy::kSkip, true, {}}));

TEST(PlanFiring, OverlapSkipWithAnUnfinishedRunSkipsAnOnTimeOccurrence) {
  Job job = DueJob(Schedule::Every(1min), "2026-11-27T10:01:00Z");  // overlap skip is the default

  const FirePlan plan = PlanFiring(job, At("2026-11-27T10:01:00.020Z"), RunId{7});

  EXPECT_TRUE(plan.occurrences.empty());
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].scheduled_for, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ(plan.skipped[0].reason, "run 7 of this job had not finished; overlap skip");
  EXPECT_EQ(plan.next_run, At("2026-11-27T10:02:00Z"));
}

TEST(JitterDelay, StaysWithinTheJitterAndSpreadsOccurrences) {
  Job job = DueJob(Schedule::Every(1min), "2026-11-27T10:01:00Z");
  EXPECT_EQ(JitterDelay(job, At("2026-11-27T10:01:00Z")), Milliseconds{0}) << "no jitter by default";
  job.jitter = 10s;
  std::set<std::int64_t> seen;
  for (int minute = 0; minute < 200; ++minute) {
    const TimePoint occurrence = At("2026-11-27T10:00:00Z") + std::chrono::minutes(minute);
    const Milliseconds delay = JitterDelay(job, occurrence);
    ASSERT_GE(delay.count(), 0);
    ASSERT_LE(delay, 10s);
    EXPECT_EQ(delay, JitterDelay(job, occurrence)) << "the same occurrence always gets the same delay";
    seen.insert(delay.count() * 10 / 10'001);  // ten equal buckets over [0, 10000] ms
  }
  // 200 draws over ten buckets: every bucket is hit.
  EXPECT_EQ(seen.size(), 10u);
}

TEST(PlanFiring, LateButNotMissedOccurrencesAllRun) {
  // An every-second job handled 2.5 s late: late, not missed (under a minute).
  Job job = DueJob(Schedule::Every(1s), "2026-11-27T10:00:00Z");
  job.misfire = MisfirePolicy::kSkip;
  job.overlap = OverlapPolicy::kAllow;

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
  job.overlap = OverlapPolicy::kAllow;

  const FirePlan plan = PlanFiring(job, At("2026-11-28T10:00:00.500Z"));

  EXPECT_EQ(plan.skipped.size() + plan.occurrences.size(), kMaxOccurrencesPerFiring);
  EXPECT_NE(plan.skipped.back().reason.find("not listed"), std::string::npos);
  EXPECT_EQ(plan.next_run, At("2026-11-28T10:00:01Z"));
}

// Issue #14: the run-rate quota caps what one firing creates for a job.
TEST(PlanLimitedFiring, CreatesAtMostTheQuotaOfRunsAndSkipsTheRestSayingWhy) {
  Job job = DueJob(Schedule::Every(1s), "2026-11-27T10:00:00Z");
  job.misfire = MisfirePolicy::kRunAll;
  job.catchup_window = std::chrono::hours{1};
  job.overlap = OverlapPolicy::kAllow;

  const FirePlan plan = PlanLimitedFiring(job, At("2026-11-27T10:05:00Z"), std::nullopt, FiringLimits{.max_runs = 120});

  ASSERT_EQ(plan.occurrences.size(), 120u);
  EXPECT_EQ(plan.occurrences.front(), At("2026-11-27T10:00:00Z"));
  ASSERT_EQ(plan.skipped.size(), 301u - 120u);
  EXPECT_NE(plan.skipped.front().reason.find("max_runs_per_job_per_minute"), std::string::npos);
  EXPECT_EQ(plan.last_run, plan.occurrences.back());
  EXPECT_EQ(plan.next_run, At("2026-11-27T10:05:01Z"));
}

// A job stored before the minimum period existed keeps its schedule but runs
// at most one occurrence per firing, the next at least the minimum later.
TEST(PlanLimitedFiring, ThrottlesAScheduleFasterThanTheMinimumPeriod) {
  const Job job = DueJob(Schedule::Every(1ms), "2026-11-27T10:00:00Z");

  const FirePlan plan =
      PlanLimitedFiring(job, At("2026-11-27T10:00:00.250Z"), std::nullopt, FiringLimits{.min_period = 1s});

  ASSERT_EQ(plan.occurrences.size(), 1u);
  EXPECT_EQ(plan.occurrences[0], At("2026-11-27T10:00:00Z"));
  EXPECT_TRUE(plan.skipped.empty());
  EXPECT_EQ(plan.next_run, At("2026-11-27T10:00:01Z"));
}

TEST(PlanLimitedFiring, LeavesASchedulePacedAtTheMinimumAlone) {
  const Job job = DueJob(Schedule::Every(1s), "2026-11-27T10:00:00Z");

  const FirePlan plan =
      PlanLimitedFiring(job, At("2026-11-27T10:00:00.003Z"), std::nullopt, FiringLimits{.min_period = 1s});

  EXPECT_EQ(plan.next_run, At("2026-11-27T10:00:01Z"));
}

TEST(PlanFiring, ScheduleThatEndsLeavesNoNextRun) {
  const Job job =
      DueJob(Schedule::Interval(NamedInterval::kHourlyForToday).WithWindow(std::nullopt, At("2026-11-28T00:00:00Z")),
             "2026-11-27T23:00:00Z");

  const FirePlan plan = PlanFiring(job, At("2026-11-27T23:00:00Z"));

  EXPECT_EQ(plan.occurrences.size(), 1u);
  EXPECT_EQ(plan.next_run, std::nullopt);
}

}  // namespace
}  // namespace jobsched::core
