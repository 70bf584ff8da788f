// The RunQueue contract, with the firing that fills the queue, the run
// history that shows it, overlap policies and cancellation: every store
// (SQLite, PostgreSQL) passes these.
#include "store/run_queue.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <set>
#include <thread>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store_backends.hpp"
#include "testing/run_queries.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

template <typename BackendType>
class RunQueueContract : public StoreContractTest<BackendType> {
 protected:
  void SetUp() override {
    StoreContractTest<BackendType>::SetUp();
    if (this->HasFatalFailure()) return;
    store_ = this->instance_.jobs.get();
    queue_ = this->instance_.runs.get();
  }

  // A job created at `created`, firing every `every` (first run one period
  // later), with the given overlap policy (default: the job default, skip).
  core::JobId CreateJob(const char* created, const char* every = "1m",
                        std::optional<std::string> overlap = std::nullopt,
                        std::optional<std::string> jitter = std::nullopt) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = every;
    request.overlap = std::move(overlap);
    request.jitter = std::move(jitter);
    auto job = core::ValidateNewJob(request, At(created));
    EXPECT_TRUE(job.ok());
    auto stored = CreateJobAndWait(*store_, *job);
    EXPECT_TRUE(stored.ok());
    return stored.ok() ? stored->id : 0;
  }

  FireResult Fire(const char* now, std::size_t limit = 1000) {
    auto fired = FireDueJobsAndWait(*store_, At(now), limit, core::PlanFiring);
    EXPECT_TRUE(fired.ok()) << fired.error().message;
    return fired.ok() ? *fired : FireResult{};
  }

  std::vector<ClaimedRun> Claim(const std::string& owner, std::size_t limit, const char* now = "2026-11-27T10:05:00Z") {
    auto claimed = Wait<std::vector<ClaimedRun>>(
        [&](auto done) { queue_->ClaimRuns(owner, limit, At(now), At(now) + 30s, std::move(done)); });
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? *claimed : std::vector<ClaimedRun>{};
  }

  core::Result<void> Finish(const std::string& owner, core::RunId id, core::RunState state) {
    RunCompletion completion;
    completion.run_id = id;
    completion.state = state;
    completion.finished_at = At("2026-11-27T10:05:01Z");
    completion.output = "out";
    completion.error = state == core::RunState::kSucceeded ? "" : "boom";
    return Wait<void>([&](auto done) { queue_->FinishRun(owner, completion, std::move(done)); });
  }

  core::Result<std::size_t> Requeue(const char* now, const std::string& live_owner, bool all_other_owners) {
    return Wait<std::size_t>(
        [&](auto done) { queue_->RequeueAbandonedRuns(At(now), live_owner, all_other_owners, std::move(done)); });
  }

  JobStore* store_ = nullptr;
  RunQueue* queue_ = nullptr;
};

TYPED_TEST_SUITE(RunQueueContract, Backends);

TYPED_TEST(RunQueueContract, NextDueTimeIsTheEarliestActiveNextRun) {
  this->CreateJob("2026-11-27T10:00:00Z", "5m");
  this->CreateJob("2026-11-27T10:00:00Z", "1m");

  auto next = this->store_->NextDueTime();

  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, At("2026-11-27T10:01:00Z"));
}

TYPED_TEST(RunQueueContract, FiringCreatesOneRunPerDueJobAndAdvancesNextRun) {
  const core::JobId due = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  const core::JobId later = this->CreateJob("2026-11-27T10:00:00Z", "1h");

  const FireResult result = this->Fire("2026-11-27T10:01:00.005Z");

  EXPECT_EQ(result.jobs_fired, 1u);
  EXPECT_EQ(result.runs_created, 1u);
  auto job = this->store_->GetJob(due);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->last_run, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ(job->next_run, At("2026-11-27T10:02:00Z"));
  EXPECT_EQ(this->store_->GetJob(later)->next_run, At("2026-11-27T11:00:00Z"));
  auto runs = this->store_->ListRuns(jobsched::testing::JobRuns(due, 10));
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].scheduled_for, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ((*runs)[0].state, core::RunState::kQueued);
  EXPECT_EQ((*runs)[0].attempt, 1);
}

TYPED_TEST(RunQueueContract, FiringTheSameInstantTwiceCreatesNoSecondRun) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");

  const FireResult again = this->Fire("2026-11-27T10:01:00Z");

  EXPECT_EQ(again.runs_created, 0u);
  EXPECT_EQ(this->queue_->QueuedRunCount().value(), 1u);
}

TYPED_TEST(RunQueueContract, AnOccurrenceCanNeverHaveTwoRunsEvenIfPlannedTwice) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  // A planner that (wrongly) does not advance next_run: the second firing
  // plans the same occurrence again, and the database refuses it.
  auto stuck = [](const core::Job& job, core::TimePoint, std::optional<core::RunId>) {
    core::FirePlan plan;
    plan.occurrences = {*job.next_run};
    plan.next_run = job.next_run;
    return plan;
  };
  ASSERT_TRUE(FireDueJobsAndWait(*this->store_, At("2026-11-27T10:01:00Z"), 10, stuck).ok());

  auto second = FireDueJobsAndWait(*this->store_, At("2026-11-27T10:01:00Z"), 10, stuck);

  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->jobs_fired, 1u);
  EXPECT_EQ(second->runs_created, 0u);
  EXPECT_EQ(this->store_->ListRuns(jobsched::testing::JobRuns(id, 10))->size(), 1u);
}

TYPED_TEST(RunQueueContract, FullBatchSaysMoreAreDue) {
  for (int i = 0; i < 5; ++i) this->CreateJob("2026-11-27T10:00:00Z", "1m");

  const FireResult first = this->Fire("2026-11-27T10:01:00Z", 3);
  const FireResult second = this->Fire("2026-11-27T10:01:00Z", 3);

  EXPECT_TRUE(first.more_due);
  EXPECT_EQ(first.jobs_fired, 3u);
  EXPECT_FALSE(second.more_due);
  EXPECT_EQ(second.jobs_fired, 2u);
}

TYPED_TEST(RunQueueContract, ConcurrentFiringsCreateEachRunOnce) {
  for (int i = 0; i < 50; ++i) this->CreateJob("2026-11-27T10:00:00Z", "1m");
  std::vector<std::thread> firers;
  for (int i = 0; i < 4; ++i) firers.emplace_back([this] { this->Fire("2026-11-27T10:01:00Z", 7); });
  for (auto& thread : firers) thread.join();
  while (this->Fire("2026-11-27T10:01:00Z", 7).more_due) {
  }

  EXPECT_EQ(this->queue_->QueuedRunCount().value(), 50u);
}

TYPED_TEST(RunQueueContract, ClaimHandsEachRunToOneOwnerWithItsJob) {
  for (int i = 0; i < 5; ++i) this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");

  const auto a = this->Claim("node-a", 3);
  const auto b = this->Claim("node-b", 10);

  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 2u);
  std::set<core::RunId> ids;
  for (const auto& claimed : a) ids.insert(claimed.run.id);
  for (const auto& claimed : b) ids.insert(claimed.run.id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(a[0].job_name, this->store_->GetJob(a[0].run.job_id)->name);
  EXPECT_EQ(a[0].timeout, core::kDefaultJobTimeout);
  EXPECT_EQ(a[0].run.started_at, At("2026-11-27T10:05:00Z"));
  EXPECT_EQ(this->queue_->QueuedRunCount().value(), 0u);
}

TYPED_TEST(RunQueueContract, FinishRecordsTheOutcome) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);

  ASSERT_TRUE(this->Finish("node-a", claimed[0].run.id, core::RunState::kFailed).ok());

  auto run = this->store_->GetRun(claimed[0].run.id);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->state, core::RunState::kFailed);
  EXPECT_EQ(run->error, "boom");
  EXPECT_EQ(run->output, "out");
  EXPECT_EQ(run->finished_at, At("2026-11-27T10:05:01Z"));
  EXPECT_EQ(run->duration_ms, 1000);
}

TYPED_TEST(RunQueueContract, AnOwnerThatLostItsRunCannotRecordAnOutcome) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);
  auto requeued = Wait<std::size_t>([&](auto done) {
    this->queue_->RequeueAbandonedRuns(At("2026-11-27T10:06:00Z"), "node-b", true, std::move(done));
  });
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1u);

  const auto finished = this->Finish("node-a", claimed[0].run.id, core::RunState::kSucceeded);

  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().code, core::ErrorCode::kConflict);
  auto run = this->store_->GetRun(claimed[0].run.id);
  EXPECT_EQ(run->state, core::RunState::kQueued);
  EXPECT_EQ(run->attempt, 2);
}

// Outcomes arriving together may be recorded together (PostgreSQL does so
// in bulk): each is still recorded, or refused, on its own.
TYPED_TEST(RunQueueContract, OutcomesSentAtOnceAreEachRecordedOrRefusedOnTheirOwn) {
  for (int i = 0; i < 60; ++i) this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto held_by_a = this->Claim("node-a", 40);
  const auto held_by_b = this->Claim("node-b", 20);
  ASSERT_EQ(held_by_a.size(), 40u);
  ASSERT_EQ(held_by_b.size(), 20u);

  // node-a reports on all 60 without waiting in between; 20 are not its own.
  std::vector<std::pair<core::RunId, std::future<core::Result<void>>>> answers;
  for (const auto* held : {&held_by_a, &held_by_b}) {
    for (const ClaimedRun& claimed : *held) {
      RunCompletion completion;
      completion.run_id = claimed.run.id;
      completion.state = claimed.run.id % 2 == 0 ? core::RunState::kSucceeded : core::RunState::kFailed;
      completion.finished_at = At("2026-11-27T10:05:01Z");
      completion.output = "output of " + std::to_string(claimed.run.id);
      auto answer = std::make_shared<std::promise<core::Result<void>>>();
      answers.emplace_back(claimed.run.id, answer->get_future());
      this->queue_->FinishRun("node-a", std::move(completion),
                              [answer](core::Result<void> result) { answer->set_value(std::move(result)); });
    }
  }

  std::set<core::RunId> own;
  for (const ClaimedRun& claimed : held_by_a) own.insert(claimed.run.id);
  for (auto& [id, answer] : answers) {
    const auto result = answer.get();
    auto run = this->store_->GetRun(id);
    ASSERT_TRUE(run.ok());
    if (own.contains(id)) {
      EXPECT_TRUE(result.ok()) << "run " << id << ": " << result.error().message;
      EXPECT_EQ(run->state, id % 2 == 0 ? core::RunState::kSucceeded : core::RunState::kFailed);
      EXPECT_EQ(run->output, "output of " + std::to_string(id));
    } else {
      ASSERT_FALSE(result.ok()) << "run " << id << " is node-b's";
      EXPECT_EQ(result.error().code, core::ErrorCode::kConflict);
      EXPECT_EQ(run->state, core::RunState::kRunning);
      EXPECT_EQ(run->output, "");
    }
  }
}

TYPED_TEST(RunQueueContract, ExpiredLeasesAreRequeuedButLiveOnesAreNot) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto a = this->Claim("node-a", 1, "2026-11-27T10:05:00Z");  // lease until 10:05:30
  const auto b = this->Claim("node-b", 1, "2026-11-27T10:05:20Z");  // lease until 10:05:50
  ASSERT_EQ(a.size() + b.size(), 2u);

  auto requeued = Wait<std::size_t>([&](auto done) {
    this->queue_->RequeueAbandonedRuns(At("2026-11-27T10:05:40Z"), "node-b", false, std::move(done));
  });

  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1u);
  EXPECT_EQ(this->store_->GetRun(a[0].run.id)->state, core::RunState::kQueued);
  EXPECT_EQ(this->store_->GetRun(b[0].run.id)->state, core::RunState::kRunning);
}

TYPED_TEST(RunQueueContract, ReleasedRunsGoBackToTheQueueUnchanged) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);

  auto released = Wait<void>([&](auto done) {
    this->queue_->ReleaseRuns("node-a", {claimed[0].run.id}, At("2026-11-27T10:05:02Z"), std::move(done));
  });

  ASSERT_TRUE(released.ok()) << released.error().message;
  auto run = this->store_->GetRun(claimed[0].run.id);
  EXPECT_EQ(run->state, core::RunState::kQueued);
  EXPECT_EQ(run->attempt, 1);
}

TYPED_TEST(RunQueueContract, RetriedRunWaitsOutItsBackoffAsTheNextAttempt) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1, "2026-11-27T10:05:00Z");
  ASSERT_EQ(claimed.size(), 1u);
  RunCompletion failed;
  failed.run_id = claimed[0].run.id;
  failed.state = core::RunState::kFailed;
  failed.finished_at = At("2026-11-27T10:05:01Z");
  failed.error = "HTTP 503";

  ASSERT_TRUE(Wait<void>([&](auto done) {
                this->queue_->RetryRun("node-a", failed, At("2026-11-27T10:05:31Z"), std::move(done));
              }).ok());

  EXPECT_TRUE(this->Claim("node-b", 1, "2026-11-27T10:05:30Z").empty());
  const auto retried = this->Claim("node-b", 1, "2026-11-27T10:05:31Z");
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].run.id, failed.run_id);
  EXPECT_EQ(retried[0].run.attempt, 2);
  EXPECT_EQ(this->store_->GetRun(failed.run_id)->error, "HTTP 503");
  // The failed attempt is kept in the run's history.
  const auto attempts = this->store_->ListRunAttempts(failed.run_id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].state, core::RunState::kFailed);
  EXPECT_EQ(attempts[0].started_at, At("2026-11-27T10:05:00Z"));
  EXPECT_EQ(attempts[0].finished_at, At("2026-11-27T10:05:01Z"));
  EXPECT_EQ(attempts[0].error, "HTTP 503");
}

TYPED_TEST(RunQueueContract, AnAttemptLostWithItsNodeIsKeptInTheRunsHistory) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1, "2026-11-27T10:05:00Z");  // lease until 10:05:30
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_TRUE(this->store_->ListRunAttempts(claimed[0].run.id)->empty());

  ASSERT_TRUE(Wait<std::size_t>([&](auto done) {
                this->queue_->RequeueAbandonedRuns(At("2026-11-27T10:06:00Z"), "node-b", false, std::move(done));
              }).ok());

  const auto attempts = this->store_->ListRunAttempts(claimed[0].run.id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].finished_at, At("2026-11-27T10:06:00Z"));
  EXPECT_NE(attempts[0].error.find("node-a"), std::string::npos) << attempts[0].error;
  EXPECT_EQ(this->store_->GetRun(claimed[0].run.id)->attempt, 2);
}

TYPED_TEST(RunQueueContract, AttemptsOfAMissingRunAreNotFound) {
  auto attempts = this->store_->ListRunAttempts(424242);
  ASSERT_FALSE(attempts.ok());
  EXPECT_EQ(attempts.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(RunQueueContract, OutputIsCutAt64KiB) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  RunCompletion completion;
  completion.run_id = claimed.at(0).run.id;
  completion.finished_at = At("2026-11-27T10:05:01Z");
  completion.output = std::string(100'000, 'x');

  ASSERT_TRUE(Wait<void>([&](auto done) { this->queue_->FinishRun("node-a", completion, std::move(done)); }).ok());

  EXPECT_LE(this->store_->GetRun(completion.run_id)->output.size(), core::kMaxRunOutputBytes);
}

TYPED_TEST(RunQueueContract, OutputThatIsNotUtf8IsStoredAsValidText) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  RunCompletion completion;
  completion.run_id = claimed.at(0).run.id;
  completion.finished_at = At("2026-11-27T10:05:01Z");
  completion.output = "HTTP 200\n\xff\xfe binary";

  ASSERT_TRUE(Wait<void>([&](auto done) { this->queue_->FinishRun("node-a", completion, std::move(done)); }).ok());

  EXPECT_EQ(this->store_->GetRun(completion.run_id)->output, "HTTP 200\n\xef\xbf\xbd\xef\xbf\xbd binary");
}

TYPED_TEST(RunQueueContract, RunHistoryPagesNewestFirst) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  for (const char* now : {"2026-11-27T10:01:00Z", "2026-11-27T10:02:00Z", "2026-11-27T10:03:00Z"}) this->Fire(now);

  auto first = this->store_->ListRuns(jobsched::testing::JobRuns(id, 2));
  ASSERT_TRUE(first.ok());
  auto second = this->store_->ListRuns(jobsched::testing::JobRuns(id, 2, first->back().id));
  ASSERT_TRUE(second.ok());

  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].scheduled_for, At("2026-11-27T10:03:00Z"));
  EXPECT_EQ((*first)[1].scheduled_for, At("2026-11-27T10:02:00Z"));
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].scheduled_for, At("2026-11-27T10:01:00Z"));
}

TYPED_TEST(RunQueueContract, MissingRunIsNotFound) {
  EXPECT_EQ(this->store_->GetRun(99).error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(RunQueueContract, ClaimedRunsComeOldestFirstWithTheirJobsTaskAndRetryPolicy) {
  core::JobRequest request;
  request.name = "hook";
  request.every = "1m";
  request.task =
      core::Task{core::HttpTask{"POST", "http://127.0.0.1:9/x", {}, "", std::nullopt, std::nullopt, {}, std::nullopt}};
  request.timeout = "5s";
  core::RetryPolicy retry;
  retry.max_attempts = 4;
  request.retry = retry;
  auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
  ASSERT_TRUE(job.ok()) << job.error().message;
  ASSERT_TRUE(CreateJobAndWait(*this->store_, *job).ok());
  for (int i = 0; i < 3; ++i) this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");

  const auto claimed = this->Claim("node-a", 10);

  ASSERT_EQ(claimed.size(), 4u);
  for (std::size_t i = 1; i < claimed.size(); ++i) EXPECT_LT(claimed[i - 1].run.id, claimed[i].run.id);
  EXPECT_EQ(claimed[0].job_name, "hook");
  EXPECT_EQ(claimed[0].task, request.task);
  EXPECT_EQ(claimed[0].timeout, std::chrono::seconds{5});
  EXPECT_EQ(claimed[0].retry.max_attempts, 4);
  EXPECT_EQ(claimed[0].run.state, core::RunState::kRunning);
  EXPECT_EQ(claimed[1].task, std::nullopt);
}

TYPED_TEST(RunQueueContract, AnOwnerThatLostItsRunCannotRetryIt) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(this->Requeue("2026-11-27T10:06:00Z", "node-b", false).ok());
  RunCompletion failed;
  failed.run_id = claimed[0].run.id;
  failed.state = core::RunState::kFailed;
  failed.finished_at = At("2026-11-27T10:06:01Z");

  auto retried = Wait<void>(
      [&](auto done) { this->queue_->RetryRun("node-a", failed, At("2026-11-27T10:07:00Z"), std::move(done)); });

  ASSERT_FALSE(retried.ok());
  EXPECT_EQ(retried.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(this->store_->GetRun(failed.run_id)->attempt, 2);
}

TYPED_TEST(RunQueueContract, RenewedLeasesAreNotRequeued) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1, "2026-11-27T10:05:00Z");  // lease until 10:05:30
  ASSERT_EQ(claimed.size(), 1u);

  ASSERT_TRUE(Wait<std::vector<core::RunId>>([&](auto done) {
                this->queue_->RenewLeases("node-a", At("2026-11-27T10:06:00Z"), {claimed[0].run.id}, std::move(done));
              }).ok());
  auto requeued = this->Requeue("2026-11-27T10:05:40Z", "node-b", false);

  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 0u);
  EXPECT_EQ(this->store_->GetRun(claimed[0].run.id)->state, core::RunState::kRunning);
}

// The heartbeat renews only the runs its executor still holds. One it gave up
// on (its outcome could not be written) used to be renewed for ever, so it
// stayed running; now its lease expires and it is re-queued, by its own
// owner's re-queue as much as by another node's.
TYPED_TEST(RunQueueContract, ARunItsOwnerNoLongerHoldsIsNotRenewedAndIsRequeuedOnceItsLeaseExpires) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 2, "2026-11-27T10:05:00Z");  // leases until 10:05:30
  ASSERT_EQ(claimed.size(), 2u);
  const core::RunId held = claimed[0].run.id;
  const core::RunId given_up = claimed[1].run.id;

  ASSERT_TRUE(Wait<std::vector<core::RunId>>([&](auto done) {
                this->queue_->RenewLeases("node-a", At("2026-11-27T10:06:00Z"), {held}, std::move(done));
              }).ok());
  auto requeued = this->Requeue("2026-11-27T10:05:40Z", "node-a", false);

  ASSERT_TRUE(requeued.ok()) << requeued.error().message;
  EXPECT_EQ(*requeued, 1u);
  EXPECT_EQ(this->store_->GetRun(held)->state, core::RunState::kRunning);
  const auto lost = this->store_->GetRun(given_up);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->state, core::RunState::kQueued);
  EXPECT_EQ(lost->attempt, 2);
}

TYPED_TEST(RunQueueContract, AHeartbeatKeepsANodeAliveUntilItsLeaseAndSilentNodesAreForgotten) {
  auto renew = [&](const char* owner, const char* until) {
    return Wait<std::vector<core::RunId>>(
        [&](auto done) { this->queue_->RenewLeases(owner, At(until), {}, std::move(done)); });
  };
  ASSERT_TRUE(renew("node-a", "2026-11-27T10:00:30Z").ok());
  ASSERT_TRUE(renew("node-b", "2026-11-27T10:00:30Z").ok());
  ASSERT_TRUE(renew("node-a", "2026-11-27T10:01:00Z").ok());  // node-a beats again; node-b falls silent

  EXPECT_EQ(this->queue_->LiveNodeCount(At("2026-11-27T10:00:20Z")).value(), 2u);
  EXPECT_EQ(this->queue_->LiveNodeCount(At("2026-11-27T10:00:45Z")).value(), 1u);
  EXPECT_EQ(this->queue_->LiveNodeCount(At("2026-11-27T10:01:01Z")).value(), 0u);

  // A day later the silent nodes are forgotten; a node that beats again comes back.
  ASSERT_TRUE(this->Requeue("2026-11-28T10:01:01Z", "node-c", false).ok());
  ASSERT_TRUE(renew("node-a", "2026-11-28T10:02:00Z").ok());
  EXPECT_EQ(this->queue_->LiveNodeCount(At("2026-11-28T10:01:30Z")).value(), 1u);
}

TYPED_TEST(RunQueueContract, AtStartUpEveryOtherOwnersRunsAreRequeued) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto old_process = this->Claim("node-a-old", 1);
  const auto live = this->Claim("node-a-new", 1);
  ASSERT_EQ(old_process.size() + live.size(), 2u);

  auto requeued = this->Requeue("2026-11-27T10:05:01Z", "node-a-new", true);

  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 1u);
  auto orphan = this->store_->GetRun(old_process[0].run.id);
  EXPECT_EQ(orphan->state, core::RunState::kQueued);
  EXPECT_EQ(orphan->attempt, 2);
  EXPECT_EQ(orphan->started_at, std::nullopt);
  EXPECT_EQ(this->store_->GetRun(live[0].run.id)->state, core::RunState::kRunning);
}

TYPED_TEST(RunQueueContract, ReleaseHandsBackOnlyTheOwnersRuns) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  ASSERT_EQ(claimed.size(), 1u);

  auto released = Wait<void>([&](auto done) {
    this->queue_->ReleaseRuns("node-b", {claimed[0].run.id}, At("2026-11-27T10:05:02Z"), std::move(done));
  });

  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_EQ(this->store_->GetRun(claimed[0].run.id)->state, core::RunState::kRunning);
}

TYPED_TEST(RunQueueContract, NulBytesInOutputAreStoredAsReplacementCharacters) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 1);
  RunCompletion completion;
  completion.run_id = claimed.at(0).run.id;
  completion.state = core::RunState::kFailed;
  completion.finished_at = At("2026-11-27T10:05:01Z");
  completion.output = std::string("a\0b", 3);
  completion.error = std::string("\0", 1);

  ASSERT_TRUE(Wait<void>([&](auto done) { this->queue_->FinishRun("node-a", completion, std::move(done)); }).ok());

  auto run = this->store_->GetRun(completion.run_id);
  EXPECT_EQ(run->output,
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(run->error, "\xef\xbf\xbd");
}

TYPED_TEST(RunQueueContract, EmptyQueueHandsOutNothing) {
  EXPECT_TRUE(this->Claim("node-a", 10).empty());
  EXPECT_EQ(this->queue_->QueuedRunCount().value(), 0u);
}

namespace overlap_and_cancel {

using core::RunState;

template <typename BackendType>
class OverlapContract : public RunQueueContract<BackendType> {
 protected:
  std::vector<core::Run> RunsOf(core::JobId id) {
    return this->store_->ListRuns(jobsched::testing::JobRuns(id, 100)).value();
  }

  core::Result<core::Run> Cancel(core::JobId job, core::RunId run, const char* now = "2026-11-27T10:05:00Z") {
    return Wait<core::Run>([&](auto done) { this->store_->CancelRun(job, run, At(now), std::move(done)); });
  }
  core::Result<core::Run> Trigger(core::JobId job, const char* now = "2026-11-27T10:05:00Z") {
    return Wait<core::Run>([&](auto done) { this->store_->TriggerJob(job, At(now), std::move(done)); });
  }
  // `owner`'s heartbeat, renewing the runs in `held`.
  core::Result<std::vector<core::RunId>> Renew(const std::string& owner, std::vector<core::RunId> held) {
    return Wait<std::vector<core::RunId>>([&](auto done) {
      this->queue_->RenewLeases(owner, At("2026-11-27T10:06:00Z"), std::move(held), std::move(done));
    });
  }
};

TYPED_TEST_SUITE(OverlapContract, Backends);

// Issue #14: the answer told a key that a run id exists in another job (and
// so in another namespace); it must read exactly like a missing run's.
TYPED_TEST(OverlapContract, CancelAnswersARunOfAnotherJobExactlyLikeAMissingRun) {
  const core::JobId own = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::JobId other = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  auto foreign_run = this->Trigger(other);
  ASSERT_TRUE(foreign_run.ok());
  const core::RunId missing_run = foreign_run->id + 1000;

  const auto foreign = this->Cancel(own, foreign_run->id);
  const auto missing = this->Cancel(own, missing_run);

  ASSERT_FALSE(foreign.ok());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(foreign.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  std::string expected = missing.error().message;
  const std::string missing_id = std::to_string(missing_run);
  expected.replace(expected.find(missing_id), missing_id.size(), std::to_string(foreign_run->id));
  EXPECT_EQ(foreign.error().message, expected);
  EXPECT_EQ(foreign.error().field, missing.error().field);
  EXPECT_EQ(this->RunsOf(other)[0].state, RunState::kQueued);
}

TYPED_TEST(OverlapContract, SkipRecordsTheNextOccurrenceAsSkippedWhileARunIsUnfinished) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");  // overlap skip by default
  this->Fire("2026-11-27T10:01:00Z");

  const FireResult second = this->Fire("2026-11-27T10:02:00Z");

  EXPECT_EQ(second.runs_created, 0u);
  const auto runs = this->RunsOf(id);  // newest first
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].state, RunState::kSkipped);
  EXPECT_EQ(runs[0].scheduled_for, At("2026-11-27T10:02:00Z"));
  EXPECT_NE(runs[0].error.find("run " + std::to_string(runs[1].id) + " of this job had not finished"),
            std::string::npos)
      << runs[0].error;
  EXPECT_EQ(runs[1].state, RunState::kQueued);
  // The job still moves on.
  EXPECT_EQ(this->store_->GetJob(id)->next_run, At("2026-11-27T10:03:00Z"));
}

TYPED_TEST(OverlapContract, SkipRunsAgainOnceThePreviousRunHasEnded) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(this->Finish("node-a", claimed[0].run.id, RunState::kSucceeded).ok());

  EXPECT_EQ(this->Fire("2026-11-27T10:02:00Z").runs_created, 1u);
  EXPECT_EQ(this->RunsOf(id)[0].state, RunState::kQueued);
}

TYPED_TEST(OverlapContract, AllowQueuesEveryOccurrenceAndClaimsThemTogether) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m", "allow");
  this->Fire("2026-11-27T10:01:00Z");
  EXPECT_EQ(this->Fire("2026-11-27T10:02:00Z").runs_created, 1u);

  EXPECT_EQ(this->Claim("node-a", 10).size(), 2u);
  EXPECT_EQ(this->RunsOf(id).size(), 2u);
}

TYPED_TEST(OverlapContract, QueueStartsRunsOneAtATimeInOrder) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  this->Fire("2026-11-27T10:01:00Z");
  EXPECT_EQ(this->Fire("2026-11-27T10:02:00Z").runs_created, 1u);

  const auto first = this->Claim("node-a", 10);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].run.scheduled_for, At("2026-11-27T10:01:00Z"));
  EXPECT_TRUE(this->Claim("node-b", 10).empty()) << "the second run must wait while the first runs";

  ASSERT_TRUE(this->Finish("node-a", first[0].run.id, RunState::kFailed).ok());
  const auto second = this->Claim("node-b", 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].run.scheduled_for, At("2026-11-27T10:02:00Z"));
}

TYPED_TEST(OverlapContract, QueueDoesNotHoldBackOtherJobs) {
  this->CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  this->CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  this->Fire("2026-11-27T10:01:00Z");
  this->Fire("2026-11-27T10:02:00Z");

  // One of each job's two runs.
  const auto claimed = this->Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_NE(claimed[0].run.job_id, claimed[1].run.job_id);
}

TYPED_TEST(OverlapContract, TriggerUnderSkipIsRefusedWhileARunIsUnfinished) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");

  auto refused = this->Trigger(id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);

  const auto claimed = this->Claim("node-a", 10);
  ASSERT_TRUE(this->Finish("node-a", claimed[0].run.id, RunState::kSucceeded).ok());
  EXPECT_TRUE(this->Trigger(id).ok());
}

TYPED_TEST(OverlapContract, TriggerUnderQueueWaitsForTheRunningOne) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m", "queue");
  this->Fire("2026-11-27T10:01:00Z");
  ASSERT_EQ(this->Claim("node-a", 10).size(), 1u);

  auto manual = this->Trigger(id);
  ASSERT_TRUE(manual.ok());
  EXPECT_EQ(manual->state, RunState::kQueued);
  EXPECT_TRUE(this->Claim("node-a", 10).empty());
}

TYPED_TEST(OverlapContract, CancellingAQueuedRunEndsItAtOnce) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const core::RunId run = this->RunsOf(id)[0].id;

  auto cancelled = this->Cancel(id, run);

  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, RunState::kCancelled);
  EXPECT_EQ(cancelled->finished_at, At("2026-11-27T10:05:00Z"));
  EXPECT_TRUE(this->Claim("node-a", 10).empty());
  // The job is free again: overlap skip lets the next occurrence run.
  EXPECT_EQ(this->Fire("2026-11-27T10:02:00Z").runs_created, 1u);
}

TYPED_TEST(OverlapContract, CancellingARunningRunAsksItsOwnerAtTheHeartbeat) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 1u);
  const core::RunId run = claimed[0].run.id;
  ASSERT_TRUE(this->Renew("node-a", {run})->empty());

  auto requested = this->Cancel(id, run);

  ASSERT_TRUE(requested.ok());
  EXPECT_EQ(requested->state, RunState::kRunning);
  EXPECT_EQ(requested->cancel_requested_at, At("2026-11-27T10:05:00Z"));
  EXPECT_EQ(this->Renew("node-a", {run}).value(), std::vector<core::RunId>{run});
  EXPECT_TRUE(this->Renew("node-b", {run})->empty());  // not node-b's run
  // The executor stops the task; whatever it reports, the run ends cancelled.
  ASSERT_TRUE(this->Finish("node-a", run, RunState::kFailed).ok());
  const auto ended = this->store_->GetRun(run).value();
  EXPECT_EQ(ended.state, RunState::kCancelled);
  EXPECT_NE(ended.error.find("cancelled by request"), std::string::npos) << ended.error;
}

// The executor can stop only the runs it holds: a run it gave up on is left
// out of the heartbeat's answer, and ends cancelled once its lease expires.
TYPED_TEST(OverlapContract, TheHeartbeatAsksToCancelOnlyHeldRunsAndAGivenUpOneEndsCancelledWhenItsLeaseExpires) {
  const core::JobId first = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  const core::JobId second = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 10);  // leases until 10:05:30
  ASSERT_EQ(claimed.size(), 2u);
  const core::RunId held = claimed[0].run.id;
  const core::RunId given_up = claimed[1].run.id;
  ASSERT_TRUE(this->Cancel(claimed[0].run.job_id, held).ok());
  ASSERT_TRUE(this->Cancel(claimed[1].run.job_id, given_up).ok());

  auto asked = this->Renew("node-a", {held});
  auto requeued = this->Requeue("2026-11-27T10:05:40Z", "node-a", false);

  ASSERT_TRUE(asked.ok()) << asked.error().message;
  EXPECT_EQ(*asked, std::vector<core::RunId>{held});
  ASSERT_TRUE(requeued.ok()) << requeued.error().message;
  EXPECT_EQ(this->store_->GetRun(held)->state, RunState::kRunning);
  EXPECT_EQ(this->store_->GetRun(given_up)->state, RunState::kCancelled);
  EXPECT_EQ(this->RunsOf(first).size() + this->RunsOf(second).size(), 2u);  // no new attempt, no new run
}

TYPED_TEST(OverlapContract, ACancelledRunGetsNoFurtherAttempt) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const core::RunId run = this->Claim("node-a", 10)[0].run.id;
  ASSERT_TRUE(this->Cancel(id, run).ok());

  RunCompletion failed;
  failed.run_id = run;
  failed.state = RunState::kFailed;
  failed.finished_at = At("2026-11-27T10:05:01Z");
  failed.error = "boom";
  ASSERT_TRUE(Wait<void>([&](auto done) {
                this->queue_->RetryRun("node-a", failed, At("2026-11-27T10:06:00Z"), std::move(done));
              }).ok());

  const auto ended = this->store_->GetRun(run).value();
  EXPECT_EQ(ended.state, RunState::kCancelled);
  EXPECT_EQ(ended.attempt, 1);
  EXPECT_EQ(ended.finished_at, At("2026-11-27T10:05:01Z"));
}

TYPED_TEST(OverlapContract, ARunningRunCancelledWhenItsOwnerDiesEndsCancelledNotRequeued) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const core::RunId run = this->Claim("node-a", 10)[0].run.id;  // lease until 10:05:30
  ASSERT_TRUE(this->Cancel(id, run).ok());

  ASSERT_TRUE(Wait<std::size_t>([&](auto done) {
                this->queue_->RequeueAbandonedRuns(At("2026-11-27T10:07:00Z"), "node-b", false, std::move(done));
              }).ok());

  EXPECT_EQ(this->store_->GetRun(run)->state, RunState::kCancelled);
  EXPECT_TRUE(this->Claim("node-b", 10, "2026-11-27T10:07:00Z").empty());
}

TYPED_TEST(OverlapContract, CancelRefusesEndedRunsAndRunsOfOtherJobs) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  const core::JobId other = this->CreateJob("2026-11-27T10:00:00Z", "1m");
  this->Fire("2026-11-27T10:01:00Z");
  const auto claimed = this->Claim("node-a", 10);
  ASSERT_EQ(claimed.size(), 2u);
  const core::RunId run = claimed[0].run.job_id == id ? claimed[0].run.id : claimed[1].run.id;

  auto foreign = this->Cancel(other, run);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, core::ErrorCode::kNotFound);
  auto missing = this->Cancel(id, 999999);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);

  ASSERT_TRUE(this->Finish("node-a", run, RunState::kSucceeded).ok());
  auto ended = this->Cancel(id, run);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().code, core::ErrorCode::kConflict);
}

TYPED_TEST(OverlapContract, JitterDelaysTheStartAndIsRecordedOnTheRun) {
  const core::JobId id = this->CreateJob("2026-11-27T10:00:00Z", "1m", std::nullopt, "30s");
  const core::Job job = this->store_->GetJob(id).value();
  const core::TimePoint occurrence = At("2026-11-27T10:01:00Z");
  const core::Milliseconds delay = core::JitterDelay(job, occurrence);
  ASSERT_GT(delay.count(), 0) << "deterministic for this job and time; pick another time if it is ever 0";
  ASSERT_LE(delay, 30s);
  this->Fire("2026-11-27T10:01:00Z");

  EXPECT_EQ(this->RunsOf(id)[0].jitter, delay);
  const auto before = core::FormatRfc3339(occurrence + delay - 1ms);
  const auto at = core::FormatRfc3339(occurrence + delay);
  EXPECT_TRUE(this->Claim("node-a", 10, before.c_str()).empty());
  EXPECT_EQ(this->Claim("node-a", 10, at.c_str()).size(), 1u);
}

}  // namespace overlap_and_cancel
namespace retention {

template <typename BackendType>
class RetentionContract : public RunQueueContract<BackendType> {
 protected:
  // `count` manual runs of `job`, each claimed and finished (succeeded) one
  // minute after the previous, the first at `first_finish`.
  std::vector<core::RunId> FinishedRuns(core::JobId job, int count, core::TimePoint first_finish) {
    std::vector<core::RunId> ids;
    for (int i = 0; i < count; ++i) {
      const core::TimePoint at = first_finish + std::chrono::minutes(i);
      auto run = Wait<core::Run>([&](auto done) { this->store_->TriggerJob(job, at, std::move(done)); });
      EXPECT_TRUE(run.ok());
      if (!run) return ids;
      auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
        this->queue_->ClaimRuns("node-a", 1000, at, at + std::chrono::seconds{30}, std::move(done));
      });
      EXPECT_TRUE(claimed.ok());
      RunCompletion completion;
      completion.run_id = run->id;
      completion.finished_at = at;
      EXPECT_TRUE(Wait<void>([&](auto done) { this->queue_->FinishRun("node-a", completion, std::move(done)); }).ok());
      ids.push_back(run->id);
    }
    return ids;
  }

  std::set<core::RunId> RunIdsOf(core::JobId job) {
    auto runs = this->store_->ListRuns(jobsched::testing::JobRuns(job, 1000));
    EXPECT_TRUE(runs.ok());
    std::set<core::RunId> ids;
    if (runs.ok()) {
      for (const core::Run& run : *runs) ids.insert(run.id);
    }
    return ids;
  }
};

TYPED_TEST_SUITE(RetentionContract, Backends);

TYPED_TEST(RetentionContract, PrunesExactlyTheRunsThatFinishedBeforeTheCutoffInBatches) {
  // overlap allow: manual runs of one job never wait for each other here.
  const core::JobId job = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const auto ids = this->FinishedRuns(job, 5, At("2026-11-27T11:00:00Z"));  // 11:00 .. 11:04
  const core::Run unfinished = Wait<core::Run>([&](auto done) {
                                 this->store_->TriggerJob(job, At("2026-11-27T10:59:00Z"), std::move(done));
                               }).value();

  auto first = Wait<std::size_t>(
      [&](auto done) { this->store_->PruneRunsFinishedBefore(At("2026-11-27T11:03:00Z"), 2, std::move(done)); });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 2u);  // the batch limit
  auto second = Wait<std::size_t>(
      [&](auto done) { this->store_->PruneRunsFinishedBefore(At("2026-11-27T11:03:00Z"), 2, std::move(done)); });
  EXPECT_EQ(*second, 1u);

  // 11:03 and 11:04 stay (the cutoff is exclusive), and the queued run.
  EXPECT_EQ(this->RunIdsOf(job), (std::set<core::RunId>{ids[3], ids[4], unfinished.id}));
}

TYPED_TEST(RetentionContract, KeepsTheNewestFinishedRunsOfEachJobAndNeverUnfinishedOnes) {
  const core::JobId a = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::JobId b = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::JobId c = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const auto runs_a = this->FinishedRuns(a, 5, At("2026-11-27T11:00:00Z"));
  const auto runs_b = this->FinishedRuns(b, 2, At("2026-11-27T11:00:00Z"));
  const auto runs_c = this->FinishedRuns(c, 4, At("2026-11-27T11:00:00Z"));
  const core::Run queued_a = Wait<core::Run>([&](auto done) {
                               this->store_->TriggerJob(a, At("2026-11-27T12:00:00Z"), std::move(done));
                             }).value();

  // Two jobs per call: a and b, then c.
  auto first = Wait<PruneResult>([&](auto done) { this->store_->PruneRunsBeyond(2, 0, 2, 100, std::move(done)); });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->deleted, 3u);
  EXPECT_EQ(first->last_job, b);
  auto second = Wait<PruneResult>([&](auto done) { this->store_->PruneRunsBeyond(2, b, 2, 100, std::move(done)); });
  EXPECT_EQ(second->deleted, 2u);
  EXPECT_EQ(second->last_job, std::nullopt);

  EXPECT_EQ(this->RunIdsOf(a), (std::set<core::RunId>{runs_a[3], runs_a[4], queued_a.id}));
  EXPECT_EQ(this->RunIdsOf(b), (std::set<core::RunId>{runs_b[0], runs_b[1]}));
  EXPECT_EQ(this->RunIdsOf(c), (std::set<core::RunId>{runs_c[2], runs_c[3]}));
}

TYPED_TEST(RetentionContract, ARowLimitStopsInsideAJobAndTheNextCallGoesOn) {
  const core::JobId a = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const auto runs = this->FinishedRuns(a, 6, At("2026-11-27T11:00:00Z"));

  auto first = Wait<PruneResult>([&](auto done) { this->store_->PruneRunsBeyond(1, 0, 10, 3, std::move(done)); });
  EXPECT_EQ(first->deleted, 3u);
  ASSERT_TRUE(first->last_job.has_value());
  auto second =
      Wait<PruneResult>([&](auto done) { this->store_->PruneRunsBeyond(1, *first->last_job, 10, 3, std::move(done)); });
  EXPECT_EQ(second->deleted, 2u);

  EXPECT_EQ(this->RunIdsOf(a), (std::set<core::RunId>{runs[5]}));
}

TYPED_TEST(RetentionContract, DeletingARunDeletesItsAttempts) {
  const core::JobId job = this->CreateJob("2026-11-27T10:00:00Z", "1h", "allow");
  const core::Run run = Wait<core::Run>([&](auto done) {
                          this->store_->TriggerJob(job, At("2026-11-27T11:00:00Z"), std::move(done));
                        }).value();
  this->Claim("node-a", 1, "2026-11-27T11:00:00Z");
  RunCompletion failed;
  failed.run_id = run.id;
  failed.state = core::RunState::kFailed;
  failed.finished_at = At("2026-11-27T11:00:01Z");
  ASSERT_TRUE(Wait<void>([&](auto done) {
                this->queue_->RetryRun("node-a", failed, At("2026-11-27T11:00:02Z"), std::move(done));
              }).ok());
  this->Claim("node-a", 1, "2026-11-27T11:00:02Z");
  failed.finished_at = At("2026-11-27T11:00:03Z");
  ASSERT_TRUE(this->Finish("node-a", run.id, core::RunState::kFailed).ok());
  ASSERT_EQ(this->store_->ListRunAttempts(run.id)->size(), 1u);

  auto pruned = Wait<std::size_t>(
      [&](auto done) { this->store_->PruneRunsFinishedBefore(At("2026-11-28T00:00:00Z"), 10, std::move(done)); });
  EXPECT_EQ(*pruned, 1u);
  EXPECT_EQ(this->store_->ListRunAttempts(run.id).error().code, core::ErrorCode::kNotFound);
}

}  // namespace retention
}  // namespace
}  // namespace jobsched::store::testing
