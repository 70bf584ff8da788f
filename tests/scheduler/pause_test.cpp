// Jobs paused until an instant, resumed by the scheduler: a real SQLite file,
// time in the test's hands.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/job_pause.hpp"
#include "core/job_validation.hpp"
#include "scheduler/scheduler.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/wait.hpp"
#include "testing/fake_clock.hpp"
#include "testing/run_queries.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::scheduler {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

class PauseUntilTest : public ::testing::Test {
 protected:
  PauseUntilTest() : clock_(At("2026-12-07T09:00:00Z")) {
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
    scheduler_ = std::make_unique<Scheduler>(*store_, clock_, SchedulerOptions{.batch_size = 2}, [] {});
  }

  // A job every 10 minutes (09:10, 09:20, ...), paused now until `until`.
  core::JobId CreatePaused(const char* until, const char* misfire = "run_once") {
    core::JobRequest request;
    request.name = "job-" + std::to_string(++created_);
    request.every = "10m";
    request.overlap = "allow";
    request.misfire = misfire;
    auto job = core::ValidateNewJob(request, clock_.Now());
    EXPECT_TRUE(job.ok());
    auto stored = store::CreateJobAndWait(*store_, *job);
    EXPECT_TRUE(stored.ok());
    auto paused = store::Wait<core::Job>([&](auto done) {
      store_->UpdateJob(
          stored->id,
          [&](const core::Job& current) -> core::Result<core::Job> {
            auto changed = core::PauseJob(current, {.reason = "maintenance", .until = until}, clock_.Now());
            if (!changed) return changed.error();
            return **changed;
          },
          std::move(done));
    });
    EXPECT_TRUE(paused.ok());
    return stored->id;
  }

  core::Job Job(core::JobId id) {
    auto job = store_->GetJob(id);
    EXPECT_TRUE(job.ok());
    return *job;
  }

  std::vector<core::Run> Runs(core::JobId id) {
    auto runs = store_->ListRuns(jobsched::testing::JobRuns(id, 1000));
    EXPECT_TRUE(runs.ok());
    return runs.ok() ? *runs : std::vector<core::Run>{};
  }

  void Fire() { ASSERT_TRUE(scheduler_->FireDue().ok()); }

  jobsched::testing::TempDir dir_;
  jobsched::testing::FakeClock clock_;
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
  std::unique_ptr<Scheduler> scheduler_;
  int created_ = 0;
};

TEST_F(PauseUntilTest, TheStoreReportsTheEndOfThePauseAsWhenSomethingIsDue) {
  CreatePaused("2026-12-07T09:45:00Z");
  auto next = store_->NextDueTime();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, At("2026-12-07T09:45:00Z"));
}

TEST_F(PauseUntilTest, StaysPausedUntilTheEndThenResumesWithoutTheOccurrencesInside) {
  const core::JobId id = CreatePaused("2026-12-07T09:45:00Z");

  clock_.Set(At("2026-12-07T09:44:59.999Z"));
  Fire();
  EXPECT_FALSE(Job(id).is_active);
  EXPECT_TRUE(Runs(id).empty());

  clock_.Set(At("2026-12-07T09:45:00Z"));
  Fire();
  const core::Job resumed = Job(id);
  EXPECT_TRUE(resumed.is_active);
  EXPECT_EQ(resumed.paused_reason, std::nullopt);
  EXPECT_EQ(resumed.paused_until, std::nullopt);
  // Every 10 minutes counted from the resume, as a resume by hand at 09:45.
  EXPECT_EQ(resumed.next_run, At("2026-12-07T09:55:00Z"));
  EXPECT_TRUE(Runs(id).empty());  // 09:10 ... 09:40 fell inside the pause

  clock_.Set(At("2026-12-07T09:55:00Z"));
  Fire();
  const auto runs = Runs(id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].scheduled_for, At("2026-12-07T09:55:00Z"));
}

TEST_F(PauseUntilTest, AResumeMissedWhileDownRunsNothingFromInsideThePause) {
  // run_all within the default hour-long catch-up window would run every
  // missed occurrence of an active job; those inside the pause are not missed.
  const core::JobId id = CreatePaused("2026-12-07T09:45:00Z", "run_all");

  clock_.Set(At("2026-12-07T10:20:00Z"));  // down from 09:00 to 10:20
  Fire();

  std::vector<core::TimePoint> scheduled;
  for (const core::Run& run : Runs(id)) scheduled.push_back(run.scheduled_for);
  std::sort(scheduled.begin(), scheduled.end());
  EXPECT_EQ(scheduled, (std::vector<core::TimePoint>{At("2026-12-07T09:55:00Z"), At("2026-12-07T10:05:00Z"),
                                                     At("2026-12-07T10:15:00Z")}));
  EXPECT_TRUE(Job(id).is_active);
}

TEST_F(PauseUntilTest, ResumesEveryJobWhosePauseEndedBatchAfterBatchAndNoOther) {
  std::vector<core::JobId> ended;
  for (int i = 0; i < 5; ++i) ended.push_back(CreatePaused("30m"));
  const core::JobId later = CreatePaused("2h");

  clock_.Advance(30min);
  auto resumed = scheduler_->ResumePaused();
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(*resumed, 5u);  // batches of 2
  for (core::JobId id : ended) EXPECT_TRUE(Job(id).is_active) << id;
  EXPECT_FALSE(Job(later).is_active);
  EXPECT_EQ(Job(later).paused_reason, "maintenance");

  auto again = scheduler_->ResumePaused();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

}  // namespace
}  // namespace jobsched::scheduler
