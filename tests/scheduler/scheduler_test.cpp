#include "scheduler/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "core/job_validation.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/fake_clock.hpp"
#include "testing/run_queries.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::scheduler {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

// The fire loop against a real SQLite file, with time in the test's hands.
class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : clock_(At("2026-11-27T10:00:00Z")) { Reopen(); }

  void Reopen() {
    scheduler_.reset();
    store_.reset();
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    scheduler_ =
        std::make_unique<Scheduler>(*store_, clock_, SchedulerOptions{.batch_size = 3}, [this] { ++notified_; });
  }

  core::JobId CreateJob(const char* interval, const char* every = nullptr) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    if (interval != nullptr) request.interval = interval;
    if (every != nullptr) request.every = every;
    // No executor runs here, so runs stay queued: under the default overlap
    // skip each job would fire once. These tests are about firing.
    request.overlap = "allow";
    auto job = core::ValidateNewJob(request, clock_.Now());
    EXPECT_TRUE(job.ok());
    auto stored = store::CreateJobAndWait(*store_, *job);
    EXPECT_TRUE(stored.ok());
    return stored->id;
  }

  std::vector<core::Run> Runs(core::JobId id) {
    auto runs = store_->ListRuns(jobsched::testing::JobRuns(id, 1000));
    EXPECT_TRUE(runs.ok());
    return runs.ok() ? *runs : std::vector<core::Run>{};
  }

  std::size_t Fire() {
    auto fired = scheduler_->FireDue();
    EXPECT_TRUE(fired.ok());
    return fired.ok() ? *fired : 0;
  }

  jobsched::testing::TempDir dir_;
  jobsched::testing::FakeClock clock_;
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::atomic<int> notified_{0};
};

TEST_F(SchedulerTest, NothingFiresBeforeItIsDue) {
  CreateJob("hourly");
  clock_.Advance(59min + 59s);

  EXPECT_EQ(Fire(), 0u);
  EXPECT_EQ(notified_, 0);
}

TEST_F(SchedulerTest, DueJobsFireOncePerOccurrenceAndNextRunAdvances) {
  const core::JobId id = CreateJob(nullptr, "10s");

  std::vector<std::size_t> fired;
  for (int second = 0; second < 60; ++second) {
    clock_.Advance(1s);
    fired.push_back(Fire());
  }

  const auto runs = Runs(id);
  ASSERT_EQ(runs.size(), 6u);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    // Newest first: 10:01:00, 10:00:50, ... 10:00:10.
    EXPECT_EQ(runs[i].scheduled_for, At("2026-11-27T10:01:00Z") - std::chrono::seconds(10 * i));
  }
  EXPECT_EQ(store_->GetJob(id)->next_run, At("2026-11-27T10:01:10Z"));
  EXPECT_EQ(store_->GetJob(id)->last_run, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ(notified_, 6);
}

TEST_F(SchedulerTest, FiringAgainAtTheSameInstantCreatesNothing) {
  CreateJob(nullptr, "10s");
  clock_.Advance(10s);
  ASSERT_EQ(Fire(), 1u);

  EXPECT_EQ(Fire(), 0u);
}

TEST_F(SchedulerTest, MoreDueJobsThanOneBatchAllFire) {
  std::vector<core::JobId> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(CreateJob("hourly"));
  clock_.Advance(1h);

  EXPECT_EQ(Fire(), 10u);
  for (const core::JobId id : ids) EXPECT_EQ(Runs(id).size(), 1u);
}

TEST_F(SchedulerTest, AfterDowntimeEachMissedJobFiresOnceThenContinues) {
  const core::JobId hourly = CreateJob("hourly");
  const core::JobId every = CreateJob(nullptr, "15m");
  // The service is down from 10:00 to 13:30, then starts again.
  clock_.Advance(3h + 30min);
  Reopen();

  // hourly: the catch-up run of 11:00; every 15m: the catch-up of 10:15 and
  // 13:30, which is due right now (late, not missed).
  EXPECT_EQ(Fire(), 3u);

  // Newest first: 13:00 and 12:00 skipped, 11:00 the one catch-up run.
  const auto runs = Runs(hourly);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[2].scheduled_for, At("2026-11-27T11:00:00Z"));
  EXPECT_EQ(runs[2].state, core::RunState::kQueued);
  EXPECT_EQ(runs[1].state, core::RunState::kSkipped);
  EXPECT_EQ(runs[0].state, core::RunState::kSkipped);
  EXPECT_NE(runs[0].error.find("run_once"), std::string::npos);
  EXPECT_EQ(store_->GetJob(hourly)->next_run, At("2026-11-27T14:00:00Z"));
  EXPECT_EQ(store_->GetJob(every)->next_run, At("2026-11-27T13:45:00Z"));
  EXPECT_EQ(Fire(), 0u);
}

// Issue #14: a job stored with `every: "1ms"` before the minimum period
// existed must not flood the database; it runs once per minimum period.
TEST_F(SchedulerTest, AJobFasterThanTheMinimumPeriodFiresOncePerPeriod) {
  scheduler_ = std::make_unique<Scheduler>(
      *store_, clock_, SchedulerOptions{.batch_size = 3, .firing_limits = {.max_runs = 120, .min_period = 1s}}, [] {});
  const core::JobId id = CreateJob(nullptr, "1ms");

  std::vector<std::size_t> fired;
  for (int i = 0; i < 8; ++i) {
    clock_.Advance(250ms);
    fired.push_back(Fire());
  }

  EXPECT_EQ(fired, (std::vector<std::size_t>{1, 0, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(Runs(id).size(), 2u);
}

TEST_F(SchedulerTest, InactiveJobsNeverFire) {
  core::JobRequest request;
  request.name = "paused";
  request.every = "1s";
  request.is_active = false;
  auto job = core::ValidateNewJob(request, clock_.Now());
  ASSERT_TRUE(job.ok());
  const core::JobId id = store::CreateJobAndWait(*store_, *job)->id;
  clock_.Advance(1h);

  EXPECT_EQ(Fire(), 0u);
  EXPECT_TRUE(Runs(id).empty());
}

TEST_F(SchedulerTest, ScheduleThatEndsStopsFiring) {
  clock_.Set(At("2026-11-27T22:30:00Z"));
  const core::JobId id = CreateJob("hourly_for_today");
  clock_.Set(At("2026-11-28T02:00:00Z"));

  EXPECT_EQ(Fire(), 1u);
  EXPECT_EQ(store_->GetJob(id)->next_run, std::nullopt);
  clock_.Advance(24h);
  EXPECT_EQ(Fire(), 0u);
}

TEST_F(SchedulerTest, RunningLoopFiresAJobCreatedWhileItSleeps) {
  // The loop sleeps on real time; a job due "now" on the fake clock must be
  // fired as soon as the scheduler is told about it.
  scheduler_->Start();
  const core::JobId id = CreateJob(nullptr, "1s");
  clock_.Advance(1s);

  scheduler_->NotifyNextRun(*store_->GetJob(id)->next_run);

  for (int i = 0; i < 500 && Runs(id).empty(); ++i) std::this_thread::sleep_for(10ms);
  scheduler_->Stop();
  EXPECT_EQ(Runs(id).size(), 1u);
}

// A shutdown during a backlog: the loop stops after the batch in hand instead
// of firing everything due first (a million overdue jobs took many minutes).
TEST_F(SchedulerTest, StopDuringABacklogEndsAfterTheBatchInHand) {
  constexpr int kJobs = 300;
  std::vector<core::JobId> ids;
  for (int i = 0; i < kJobs; ++i) ids.push_back(CreateJob("hourly"));
  std::atomic<int> batches{0};
  // One job per batch: 300 commits to fire them all.
  scheduler_ = std::make_unique<Scheduler>(*store_, clock_, SchedulerOptions{.batch_size = 1}, [&] { ++batches; });
  clock_.Advance(1h);
  scheduler_->Start();
  for (int i = 0; i < 3000 && batches == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_GT(batches.load(), 0) << "the loop never fired";

  scheduler_->Stop();

  int fired = 0;
  for (const core::JobId id : ids) fired += Runs(id).empty() ? 0 : 1;
  EXPECT_GE(fired, batches.load());
  EXPECT_LT(fired, kJobs) << "Stop() waited for the whole backlog to fire";
}

}  // namespace
}  // namespace jobsched::scheduler
