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

  // A job created at `created`, firing every `every` (first run one period
  // later), with the given overlap policy (default: the job default, skip).
  core::JobId CreateJob(const char* created, const char* every = "1m",
                        std::optional<std::string> overlap = std::nullopt,
                        std::optional<std::string> jitter = std::nullopt) {
    core::JobRequest request;
    request.name = "job";
    request.every = every;
    request.overlap = std::move(overlap);
    request.jitter = std::move(jitter);
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
  auto stuck = [](const core::Job& job, core::TimePoint, std::optional<core::RunId>) {
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

  auto released = Wait<void>([&](auto done) { store_->ReleaseRuns("node-a", {claimed[0].run.id}, At("2026-11-27T10:05:02Z"), std::move(done)); });

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
  // The failed attempt is kept in the run's history.
  const auto attempts = store_->ListRunAttempts(failed.run_id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].state, core::RunState::kFailed);
  EXPECT_EQ(attempts[0].started_at, At("2026-11-27T10:05:00Z"));
  EXPECT_EQ(attempts[0].finished_at, At("2026-11-27T10:05:01Z"));
  EXPECT_EQ(attempts[0].error, "HTTP 503");
}

TEST_F(SqliteRunQueueTest, AnAttemptLostWithItsNodeIsKeptInTheRunsHistory) {
  CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 1, "2026-11-27T10:05:00Z");  // lease until 10:05:30
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_TRUE(store_->ListRunAttempts(claimed[0].run.id)->empty());

  ASSERT_TRUE(Wait<std::size_t>([&](auto done) {
                store_->RequeueAbandonedRuns(At("2026-11-27T10:06:00Z"), "node-b", false, std::move(done));
              }).ok());

  const auto attempts = store_->ListRunAttempts(claimed[0].run.id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].finished_at, At("2026-11-27T10:06:00Z"));
  EXPECT_NE(attempts[0].error.find("node-a"), std::string::npos) << attempts[0].error;
  EXPECT_EQ(store_->GetRun(claimed[0].run.id)->attempt, 2);
}

TEST_F(SqliteRunQueueTest, AttemptsOfAMissingRunAreNotFound) {
  auto attempts = store_->ListRunAttempts(424242);
  ASSERT_FALSE(attempts.ok());
  EXPECT_EQ(attempts.error().code, core::ErrorCode::kNotFound);
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

namespace overlap_and_cancel {

using core::RunState;

class SqliteOverlapTest : public SqliteRunQueueTest {
 protected:
  std::vector<core::Run> RunsOf(core::JobId id) { return store_->ListRuns(jobsched::testing::JobRuns(id, 100)).value(); }

  core::Result<core::Run> Cancel(core::JobId job, core::RunId run, const char* now = "2026-11-27T10:05:00Z") {
    return Wait<core::Run>([&](auto done) { store_->CancelRun(job, run, At(now), std::move(done)); });
  }
  core::Result<core::Run> Trigger(core::JobId job, const char* now = "2026-11-27T10:05:00Z") {
    return Wait<core::Run>([&](auto done) { store_->TriggerJob(job, At(now), std::move(done)); });
  }
  core::Result<std::vector<core::RunId>> Renew(const std::string& owner) {
    return Wait<std::vector<core::RunId>>(
        [&](auto done) { store_->RenewLeases(owner, At("2026-11-27T10:06:00Z"), std::move(done)); });
  }
};

TEST_F(SqliteOverlapTest, SkipRecordsTheNextOccurrenceAsSkippedWhileARunIsUnfinished) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");  // overlap skip by default
  Fire("2026-11-27T10:01:00Z");

  const FireResult second = Fire("2026-11-27T10:02:00Z");

  EXPECT_EQ(second.runs_created, 0u);
  const auto runs = RunsOf(id);  // newest first
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].state, RunState::kSkipped);
  EXPECT_EQ(runs[0].scheduled_for, At("2026-11-27T10:02:00Z"));
  EXPECT_NE(runs[0].error.find("run " + std::to_string(runs[1].id) + " of this job had not finished"),
            std::string::npos)
      << runs[0].error;
  EXPECT_EQ(runs[1].state, RunState::kQueued);
  // The job still moves on.
  EXPECT_EQ(store_->GetJob(id)->next_run, At("2026-11-27T10:03:00Z"));
}

TEST_F(SqliteOverlapTest, SkipRunsAgainOnceThePreviousRunHasEnded) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(Finish("node-a", claimed[0].run.id, RunState::kSucceeded).ok());

  EXPECT_EQ(Fire("2026-11-27T10:02:00Z").runs_created, 1u);
  EXPECT_EQ(RunsOf(id)[0].state, RunState::kQueued);
}

TEST_F(SqliteOverlapTest, AllowQueuesEveryOccurrenceAndClaimsThemTogether) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m", "allow");
  Fire("2026-11-27T10:01:00Z");
  EXPECT_EQ(Fire("2026-11-27T10:02:00Z").runs_created, 1u);

  EXPECT_EQ(Claim("node-a", 10).size(), 2u);
  EXPECT_EQ(RunsOf(id).size(), 2u);
}

TEST_F(SqliteOverlapTest, QueueStartsRunsOneAtATimeInOrder) {
  CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  Fire("2026-11-27T10:01:00Z");
  EXPECT_EQ(Fire("2026-11-27T10:02:00Z").runs_created, 1u);

  const auto first = Claim("node-a", 10);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].run.scheduled_for, At("2026-11-27T10:01:00Z"));
  EXPECT_TRUE(Claim("node-b", 10).empty()) << "the second run must wait while the first runs";

  ASSERT_TRUE(Finish("node-a", first[0].run.id, RunState::kFailed).ok());
  const auto second = Claim("node-b", 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].run.scheduled_for, At("2026-11-27T10:02:00Z"));
}

TEST_F(SqliteOverlapTest, QueueDoesNotHoldBackOtherJobs) {
  CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  Fire("2026-11-27T10:01:00Z");
  Fire("2026-11-27T10:02:00Z");

  // One of each job's two runs.
  const auto claimed = Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_NE(claimed[0].run.job_id, claimed[1].run.job_id);
}

TEST_F(SqliteOverlapTest, TriggerUnderSkipIsRefusedWhileARunIsUnfinished) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");

  auto refused = Trigger(id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);

  const auto claimed = Claim("node-a", 10);
  ASSERT_TRUE(Finish("node-a", claimed[0].run.id, RunState::kSucceeded).ok());
  EXPECT_TRUE(Trigger(id).ok());
}

TEST_F(SqliteOverlapTest, TriggerUnderQueueWaitsForTheRunningOne) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  Fire("2026-11-27T10:01:00Z");
  ASSERT_EQ(Claim("node-a", 10).size(), 1u);

  auto manual = Trigger(id);
  ASSERT_TRUE(manual.ok());
  EXPECT_EQ(manual->state, RunState::kQueued);
  EXPECT_TRUE(Claim("node-a", 10).empty());
}

TEST_F(SqliteOverlapTest, CancellingAQueuedRunEndsItAtOnce) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const core::RunId run = RunsOf(id)[0].id;

  auto cancelled = Cancel(id, run);

  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, RunState::kCancelled);
  EXPECT_EQ(cancelled->finished_at, At("2026-11-27T10:05:00Z"));
  EXPECT_TRUE(Claim("node-a", 10).empty());
  // The job is free again: overlap skip lets the next occurrence run.
  EXPECT_EQ(Fire("2026-11-27T10:02:00Z").runs_created, 1u);
}

TEST_F(SqliteOverlapTest, CancellingARunningRunAsksItsOwnerAtTheHeartbeat) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 1u);
  const core::RunId run = claimed[0].run.id;
  ASSERT_TRUE(Renew("node-a")->empty());

  auto requested = Cancel(id, run);

  ASSERT_TRUE(requested.ok());
  EXPECT_EQ(requested->state, RunState::kRunning);
  EXPECT_EQ(requested->cancel_requested_at, At("2026-11-27T10:05:00Z"));
  EXPECT_EQ(Renew("node-a").value(), std::vector<core::RunId>{run});
  EXPECT_TRUE(Renew("node-b")->empty());
  // The executor stops the task; whatever it reports, the run ends cancelled.
  ASSERT_TRUE(Finish("node-a", run, RunState::kFailed).ok());
  const auto ended = store_->GetRun(run).value();
  EXPECT_EQ(ended.state, RunState::kCancelled);
  EXPECT_NE(ended.error.find("cancelled by request"), std::string::npos) << ended.error;
}

TEST_F(SqliteOverlapTest, ACancelledRunGetsNoFurtherAttempt) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const core::RunId run = Claim("node-a", 10)[0].run.id;
  ASSERT_TRUE(Cancel(id, run).ok());

  RunCompletion failed;
  failed.run_id = run;
  failed.state = RunState::kFailed;
  failed.finished_at = At("2026-11-27T10:05:01Z");
  failed.error = "boom";
  ASSERT_TRUE(Wait<void>([&](auto done) {
                store_->RetryRun("node-a", failed, At("2026-11-27T10:06:00Z"), std::move(done));
              }).ok());

  const auto ended = store_->GetRun(run).value();
  EXPECT_EQ(ended.state, RunState::kCancelled);
  EXPECT_EQ(ended.attempt, 1);
  EXPECT_EQ(ended.finished_at, At("2026-11-27T10:05:01Z"));
}

TEST_F(SqliteOverlapTest, ARunningRunCancelledWhenItsOwnerDiesEndsCancelledNotRequeued) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const core::RunId run = Claim("node-a", 10)[0].run.id;  // lease until 10:05:30
  ASSERT_TRUE(Cancel(id, run).ok());

  ASSERT_TRUE(Wait<std::size_t>([&](auto done) {
                store_->RequeueAbandonedRuns(At("2026-11-27T10:07:00Z"), "node-b", false, std::move(done));
              }).ok());

  EXPECT_EQ(store_->GetRun(run)->state, RunState::kCancelled);
  EXPECT_TRUE(Claim("node-b", 10, "2026-11-27T10:07:00Z").empty());
}

TEST_F(SqliteOverlapTest, CancelRefusesEndedRunsAndRunsOfOtherJobs) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m");
  const core::JobId other = CreateJob("2026-11-27T10:00:00Z", "1m");
  Fire("2026-11-27T10:01:00Z");
  const auto claimed = Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 2u);
  const core::RunId run = claimed[0].run.job_id == id ? claimed[0].run.id : claimed[1].run.id;

  auto foreign = Cancel(other, run);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, core::ErrorCode::kNotFound);
  auto missing = Cancel(id, 999999);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);

  ASSERT_TRUE(Finish("node-a", run, RunState::kSucceeded).ok());
  auto ended = Cancel(id, run);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().code, core::ErrorCode::kConflict);
}

TEST_F(SqliteOverlapTest, JitterDelaysTheStartAndIsRecordedOnTheRun) {
  const core::JobId id = CreateJob("2026-11-27T10:00:00Z", "1m", std::nullopt, "30s");
  const core::Job job = store_->GetJob(id).value();
  const core::TimePoint occurrence = At("2026-11-27T10:01:00Z");
  const core::Milliseconds delay = core::JitterDelay(job, occurrence);
  ASSERT_GT(delay.count(), 0) << "deterministic for this job and time; pick another time if it is ever 0";
  ASSERT_LE(delay, 30s);
  Fire("2026-11-27T10:01:00Z");

  EXPECT_EQ(RunsOf(id)[0].jitter, delay);
  const auto before = core::FormatRfc3339(occurrence + delay - 1ms);
  const auto at = core::FormatRfc3339(occurrence + delay);
  EXPECT_TRUE(Claim("node-a", 10, before.c_str()).empty());
  EXPECT_EQ(Claim("node-a", 10, at.c_str()).size(), 1u);
}

}  // namespace overlap_and_cancel
namespace retention {

class SqliteRetentionTest : public SqliteRunQueueTest {
 protected:
  // `count` manual runs of `job`, each claimed and finished (succeeded) one
  // minute after the previous, the first at `first_finish`.
  std::vector<core::RunId> FinishedRuns(core::JobId job, int count, core::TimePoint first_finish) {
    std::vector<core::RunId> ids;
    for (int i = 0; i < count; ++i) {
      ids.push_back(jobsched::testing::FinishedRunAt(*store_, job, first_finish + std::chrono::minutes(i)));
      EXPECT_NE(ids.back(), 0);
    }
    return ids;
  }

  std::set<core::RunId> RunIdsOf(core::JobId job) {
    auto runs = store_->ListRuns(jobsched::testing::JobRuns(job, 1000));
    EXPECT_TRUE(runs.ok());
    std::set<core::RunId> ids;
    if (runs.ok()) {
      for (const core::Run& run : *runs) ids.insert(run.id);
    }
    return ids;
  }
};

TEST_F(SqliteRetentionTest, PrunesExactlyTheRunsThatFinishedBeforeTheCutoffInBatches) {
  // overlap allow: manual runs of one job never wait for each other here.
  const core::JobId job = CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const auto ids = FinishedRuns(job, 5, At("2026-11-27T11:00:00Z"));  // 11:00 .. 11:04
  const core::Run unfinished = Wait<core::Run>([&](auto done) {
                                 store_->TriggerJob(job, At("2026-11-27T10:59:00Z"), std::move(done));
                               }).value();

  auto first = Wait<std::size_t>(
      [&](auto done) { store_->PruneRunsFinishedBefore(At("2026-11-27T11:03:00Z"), 2, std::move(done)); });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 2u);  // the batch limit
  auto second = Wait<std::size_t>(
      [&](auto done) { store_->PruneRunsFinishedBefore(At("2026-11-27T11:03:00Z"), 2, std::move(done)); });
  EXPECT_EQ(*second, 1u);

  // 11:03 and 11:04 stay (the cutoff is exclusive), and the queued run.
  EXPECT_EQ(RunIdsOf(job), (std::set<core::RunId>{ids[3], ids[4], unfinished.id}));
}

TEST_F(SqliteRetentionTest, KeepsTheNewestFinishedRunsOfEachJobAndNeverUnfinishedOnes) {
  const core::JobId a = CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::JobId b = CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::JobId c = CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const auto runs_a = FinishedRuns(a, 5, At("2026-11-27T11:00:00Z"));
  const auto runs_b = FinishedRuns(b, 2, At("2026-11-27T11:00:00Z"));
  const auto runs_c = FinishedRuns(c, 4, At("2026-11-27T11:00:00Z"));
  const core::Run queued_a =
      Wait<core::Run>([&](auto done) { store_->TriggerJob(a, At("2026-11-27T12:00:00Z"), std::move(done)); }).value();

  // Two jobs per call: a and b, then c.
  auto first = Wait<PruneResult>([&](auto done) { store_->PruneRunsBeyond(2, 0, 2, 100, std::move(done)); });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->deleted, 3u);
  EXPECT_EQ(first->last_job, b);
  auto second = Wait<PruneResult>([&](auto done) { store_->PruneRunsBeyond(2, b, 2, 100, std::move(done)); });
  EXPECT_EQ(second->deleted, 2u);
  EXPECT_EQ(second->last_job, std::nullopt);

  EXPECT_EQ(RunIdsOf(a), (std::set<core::RunId>{runs_a[3], runs_a[4], queued_a.id}));
  EXPECT_EQ(RunIdsOf(b), (std::set<core::RunId>{runs_b[0], runs_b[1]}));
  EXPECT_EQ(RunIdsOf(c), (std::set<core::RunId>{runs_c[2], runs_c[3]}));
}

TEST_F(SqliteRetentionTest, ARowLimitStopsInsideAJobAndTheNextCallGoesOn) {
  const core::JobId a = CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const auto runs = FinishedRuns(a, 6, At("2026-11-27T11:00:00Z"));

  auto first = Wait<PruneResult>([&](auto done) { store_->PruneRunsBeyond(1, 0, 10, 3, std::move(done)); });
  EXPECT_EQ(first->deleted, 3u);
  ASSERT_TRUE(first->last_job.has_value());
  auto second =
      Wait<PruneResult>([&](auto done) { store_->PruneRunsBeyond(1, *first->last_job, 10, 3, std::move(done)); });
  EXPECT_EQ(second->deleted, 2u);

  EXPECT_EQ(RunIdsOf(a), (std::set<core::RunId>{runs[5]}));
}

TEST_F(SqliteRetentionTest, DeletingARunDeletesItsAttempts) {
  const core::JobId job = CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::Run run =
      Wait<core::Run>([&](auto done) { store_->TriggerJob(job, At("2026-11-27T11:00:00Z"), std::move(done)); }).value();
  Claim("node-a", 1, "2026-11-27T11:00:00Z");
  RunCompletion failed;
  failed.run_id = run.id;
  failed.state = core::RunState::kFailed;
  failed.finished_at = At("2026-11-27T11:00:01Z");
  ASSERT_TRUE(Wait<void>([&](auto done) {
                store_->RetryRun("node-a", failed, At("2026-11-27T11:00:02Z"), std::move(done));
              }).ok());
  Claim("node-a", 1, "2026-11-27T11:00:02Z");
  failed.finished_at = At("2026-11-27T11:00:03Z");
  ASSERT_TRUE(Finish("node-a", run.id, core::RunState::kFailed).ok());
  ASSERT_EQ(store_->ListRunAttempts(run.id)->size(), 1u);

  auto pruned = Wait<std::size_t>(
      [&](auto done) { store_->PruneRunsFinishedBefore(At("2026-11-28T00:00:00Z"), 10, std::move(done)); });
  EXPECT_EQ(*pruned, 1u);
  EXPECT_EQ(store_->ListRunAttempts(run.id).error().code, core::ErrorCode::kNotFound);
}

}  // namespace retention
}  // namespace
}  // namespace jobsched::store::sqlite
