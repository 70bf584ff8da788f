// Firing, the run queue and run history of SqliteJobStore, on a real file.
#include "store/sqlite/sqlite_job_store.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "core/job_validation.hpp"
#include "testing/run_queries.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::sqlite {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

template <typename T, typename Start>
core::Result<T> Wait(Start start) {
  std::promise<core::Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](core::Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

class SqliteRunQueueTest : public ::testing::Test {
 protected:
  SqliteRunQueueTest() {
    auto store = SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
  }

  // A job created at `created`, firing every `every` (first run one period later).
  core::JobId CreateJob(const char* created, const char* every = "1m") {
    core::JobRequest request;
    request.name = "job";
    request.every = every;
    auto job = core::ValidateNewJob(request, At(created));
    EXPECT_TRUE(job.ok());
    auto stored = CreateJobAndWait(*store_, *job);
    EXPECT_TRUE(stored.ok());
    return stored->id;
  }

  FireResult Fire(const char* now, std::size_t limit = 1000) {
    auto fired = FireDueJobsAndWait(*store_, At(now), limit, core::PlanFiring);
    EXPECT_TRUE(fired.ok());
    return fired.ok() ? *fired : FireResult{};
  }

  std::vector<ClaimedRun> Claim(const std::string& owner, std::size_t limit, const char* now = "2026-11-27T10:05:00Z") {
    auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
      store_->ClaimRuns(owner, limit, At(now), At(now) + 30s, std::move(done));
    });
    EXPECT_TRUE(claimed.ok());
    return claimed.ok() ? *claimed : std::vector<ClaimedRun>{};
  }

  core::Result<void> Finish(const std::string& owner, core::RunId id, core::RunState state) {
    RunCompletion completion;
    completion.run_id = id;
    completion.state = state;
    completion.finished_at = At("2026-11-27T10:05:01Z");
    completion.output = "out";
    completion.error = state == core::RunState::kSucceeded ? "" : "boom";
    return Wait<void>([&](auto done) { store_->FinishRun(owner, completion, std::move(done)); });
  }

  jobsched::testing::TempDir dir_;
  std::unique_ptr<SqliteJobStore> store_;
};

TEST_F(SqliteRunQueueTest, NextDueTimeIsTheEarliestActiveNextRun) {
  CreateJob("2026-11-27T10:00:00Z", "5m");
  CreateJob("2026-11-27T10:00:00Z", "1m");

  auto next = store_->NextDueTime();

  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, At("2026-11-27T10:01:00Z"));
}

TEST_F(SqliteRunQueueTest, FiringCreatesOneRunPerDueJobAndAdvancesNextRun) {
  const core::JobId due = CreateJob("2026-11-27T10:00:00Z", "1m");
  const core::JobId later = CreateJob("2026-11-27T10:00:00Z", "1h");

  const FireResult result = Fire("2026-11-27T10:01:00.005Z");

  EXPECT_EQ(result.jobs_fired, 1u);
  EXPECT_EQ(result.runs_created, 1u);
  auto job = store_->GetJob(due);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->last_run, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ(job->next_run, At("2026-11-27T10:02:00Z"));
  EXPECT_EQ(store_->GetJob(later)->next_run, At("2026-11-27T11:00:00Z"));
  auto runs = store_->ListRuns(jobsched::testing::JobRuns(due, 10));
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].scheduled_for, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ((*runs)[0].state, core::RunState::kQueued);
  EXPECT_EQ((*runs)[0].attempt, 1);
}

TEST_F(SqliteRunQueueTest, FiringTheSameInstantTwiceCreatesNoSecondRun) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");

  const FireResult again = Fire("2026-11-27T10:01:00Z");

  EXPECT_EQ(again.runs_created, 0u);
  EXPECT_EQ(store_->QueuedRunCount().value(), 1u);
}

TEST_F(SqliteRunQueueTest, AnOccurrenceCanNeverHaveTwoRunsEvenIfPlannedTwice) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  // A planner that (wrongly) does not advance next_run: the second firing
  // plans the same occurrence again, and the database refuses it.
  auto stuck = [](const core::Job& job, core::TimePoint) {
    core::FirePlan plan;
    plan.occurrences = {*job.next_run};
    plan.next_run = job.next_run;
    return plan;
  };
  ASSERT_TRUE(FireDueJobsAndWait(*store_, At("2026-11-27T10:01:00Z"), 10, stuck).ok());

  auto second = FireDueJobsAndWait(*store_, At("2026-11-27T10:01:00Z"), 10, stuck);

  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->jobs_fired, 1u);
  EXPECT_EQ(second->runs_created, 0u);
  EXPECT_EQ(store_->ListRuns(jobsched::testing::JobRuns(id, 10))->size(), 1u);
}

TEST_F(SqliteRunQueueTest, FullBatchSaysMoreAreDue) {
  for (int i = 0; i < 5; ++i) CreateJob("2026-11-27T10:00:00Z", "1m");

  const FireResult first = Fire("2026-11-27T10:01:00Z", 3);
  const FireResult second = Fire("2026-11-27T10:01:00Z", 3);

  EXPECT_TRUE(first.more_due);
  EXPECT_EQ(first.jobs_fired, 3u);
  EXPECT_FALSE(second.more_due);
  EXPECT_EQ(second.jobs_fired, 2u);
}

TEST_F(SqliteRunQueueTest, ConcurrentFiringsCreateEachRunOnce) {
  for (int i = 0; i < 50; ++i) CreateJob("2026-11-27T10:00:00Z", "1m");
  std::vector<std::thread> firers;
  for (int i = 0; i < 4; ++i) firers.emplace_back([this] { Fire("2026-11-27T10:01:00Z", 7); });
  for (auto& thread : firers) thread.join();
  while (Fire("2026-11-27T10:01:00Z", 7).more_due) {
  }

  EXPECT_EQ(store_->QueuedRunCount().value(), 50u);
}

TEST_F(SqliteRunQueueTest, ClaimHandsEachRunToOneOwnerWithItsJob) {
  for (int i = 0; i < 5; ++i) CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");

  const auto a = Claim("node-a", 3);
  const auto b = Claim("node-b", 10);

  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 2u);
  std::set<core::RunId> ids;
  for (const auto& claimed : a) ids.insert(claimed.run.id);
  for (const auto& claimed : b) ids.insert(claimed.run.id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(a[0].job_name, "job");
  EXPECT_EQ(a[0].timeout, core::kDefaultJobTimeout);
  EXPECT_EQ(a[0].run.started_at, At("2026-11-27T10:05:00Z"));
  EXPECT_EQ(store_->QueuedRunCount().value(), 0u);
}

TEST_F(SqliteRunQueueTest, FinishRecordsTheOutcome) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);

  ASSERT_TRUE(Finish("node-a", claimed[0].run.id, core::RunState::kFailed).ok());

  auto run = store_->GetRun(claimed[0].run.id);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->state, core::RunState::kFailed);
  EXPECT_EQ(run->error, "boom");
  EXPECT_EQ(run->output, "out");
  EXPECT_EQ(run->finished_at, At("2026-11-27T10:05:01Z"));
  EXPECT_EQ(run->duration_ms, 1000);
}

TEST_F(SqliteRunQueueTest, AnOwnerThatLostItsRunCannotRecordAnOutcome) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);
  auto requeued = Wait<std::size_t>([&](auto done) {
    store_->RequeueAbandonedRuns(At("2026-11-27T10:06:00Z"), "node-b", true, std::move(done));
  });
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1u);

  const auto finished = Finish("node-a", claimed[0].run.id, core::RunState::kSucceeded);

  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().code, core::ErrorCode::kConflict);
  auto run = store_->GetRun(claimed[0].run.id);
  EXPECT_EQ(run->state, core::RunState::kQueued);
  EXPECT_EQ(run->attempt, 2);
}

TEST_F(SqliteRunQueueTest, ExpiredLeasesAreRequeuedButLiveOnesAreNot) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto a = Claim("node-a", 1, "2026-11-27T10:05:00Z");  // lease until 10:05:30
  const auto b = Claim("node-b", 1, "2026-11-27T10:05:20Z");  // lease until 10:05:50
  ASSERT_EQ(a.size() + b.size(), 2u);

  auto requeued = Wait<std::size_t>([&](auto done) {
    store_->RequeueAbandonedRuns(At("2026-11-27T10:05:40Z"), "node-b", false, std::move(done));
  });

  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1u);
  EXPECT_EQ(store_->GetRun(a[0].run.id)->state, core::RunState::kQueued);
  EXPECT_EQ(store_->GetRun(b[0].run.id)->state, core::RunState::kRunning);
}

TEST_F(SqliteRunQueueTest, ReleasedRunsGoBackToTheQueueUnchanged) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);

  auto released = Wait<void>([&](auto done) { store_->ReleaseRuns("node-a", {claimed[0].run.id}, std::move(done)); });

  ASSERT_TRUE(released.ok());
  auto run = store_->GetRun(claimed[0].run.id);
  EXPECT_EQ(run->state, core::RunState::kQueued);
  EXPECT_EQ(run->attempt, 1);
}

TEST_F(SqliteRunQueueTest, RetriedRunWaitsOutItsBackoffAsTheNextAttempt) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1, "2026-11-27T10:05:00Z");
  ASSERT_EQ(claimed.size(), 1u);
  RunCompletion failed;
  failed.run_id = claimed[0].run.id;
  failed.state = core::RunState::kFailed;
  failed.finished_at = At("2026-11-27T10:05:01Z");
  failed.error = "HTTP 503";

  ASSERT_TRUE(Wait<void>([&](auto done) {
                store_->RetryRun("node-a", failed, At("2026-11-27T10:05:31Z"), std::move(done));
              }).ok());

  EXPECT_TRUE(Claim("node-b", 1, "2026-11-27T10:05:30Z").empty());
  const auto retried = Claim("node-b", 1, "2026-11-27T10:05:31Z");
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].run.id, failed.run_id);
  EXPECT_EQ(retried[0].run.attempt, 2);
  EXPECT_EQ(store_->GetRun(failed.run_id)->error, "HTTP 503");
}

TEST_F(SqliteRunQueueTest, OutputIsCutAt64KiB) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1);
  RunCompletion completion;
  completion.run_id = claimed.at(0).run.id;
  completion.finished_at = At("2026-11-27T10:05:01Z");
  completion.output = std::string(100'000, 'x');

  ASSERT_TRUE(Wait<void>([&](auto done) { store_->FinishRun("node-a", completion, std::move(done)); }).ok());

  EXPECT_LE(store_->GetRun(completion.run_id)->output.size(), core::kMaxRunOutputBytes);
}

TEST_F(SqliteRunQueueTest, OutputThatIsNotUtf8IsStoredAsValidText) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1);
  RunCompletion completion;
  completion.run_id = claimed.at(0).run.id;
  completion.finished_at = At("2026-11-27T10:05:01Z");
  completion.output = "HTTP 200\n\xff\xfe binary";

  ASSERT_TRUE(Wait<void>([&](auto done) { store_->FinishRun("node-a", completion, std::move(done)); }).ok());

  EXPECT_EQ(store_->GetRun(completion.run_id)->output, "HTTP 200\n\xef\xbf\xbd\xef\xbf\xbd binary");
}

TEST_F(SqliteRunQueueTest, RunHistoryPagesNewestFirst) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  for (const char* now : {"2026-11-27T10:01:00Z", "2026-11-27T10:02:00Z", "2026-11-27T10:03:00Z"}) Fire(now);

  auto first = store_->ListRuns(jobsched::testing::JobRuns(id, 2));
  ASSERT_TRUE(first.ok());
  auto second = store_->ListRuns(jobsched::testing::JobRuns(id, 2, first->back().id));
  ASSERT_TRUE(second.ok());

  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].scheduled_for, At("2026-11-27T10:03:00Z"));
  EXPECT_EQ((*first)[1].scheduled_for, At("2026-11-27T10:02:00Z"));
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].scheduled_for, At("2026-11-27T10:01:00Z"));
}

TEST_F(SqliteRunQueueTest, MissingRunIsNotFound) {
  EXPECT_EQ(store_->GetRun(99).error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace jobsched::store::sqlite
