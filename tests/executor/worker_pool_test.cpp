// The worker pool against a real SQLite store, with scripted task runners:
// claiming, recording, retries, and handing runs back at shutdown.
#include "executor/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "app/system_clock.hpp"
#include "core/job_validation.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/temp_dir.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::executor {
namespace {

using namespace std::chrono_literals;

// Answers every task with the next scripted outcome (the last one repeats).
// With `block`, holds each task until its run is stopped, then cancels it.
class ScriptedRunner final : public TaskRunner {
 public:
  ScriptedRunner(std::vector<RunOutcome> outcomes, bool block) : outcomes_(std::move(outcomes)), block_(block) {}

  void Start(const core::Task&, const RunContext& context, DoneCallback done) override {
    const int call = calls_++;
    if (block_) {
      std::thread([stop = context.stop, done = std::move(done)] {
        while (!stop.stop_requested()) std::this_thread::sleep_for(5ms);
        done(TaskResult::Cancelled("stopped"));
      }).detach();
      return;
    }
    const RunOutcome outcome = outcomes_[std::min<std::size_t>(call, outcomes_.size() - 1)];
    if (outcome == RunOutcome::kSucceeded) return done(TaskResult::Succeeded("ok"));
    done(TaskResult::Failed("scripted failure " + std::to_string(call + 1)));
  }

  int calls() const { return calls_; }

 private:
  std::vector<RunOutcome> outcomes_;
  bool block_;
  std::atomic<int> calls_{0};
};

class WorkerPoolTest : public ::testing::Test {
 protected:
  WorkerPoolTest() {
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
  }

  // A job with a noop task and `retry`, and one manual run of it.
  core::RunId QueueRun(core::RetryPolicy retry = {}, core::Task task = core::NoopTask{}) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = "1h";
    request.task = std::move(task);
    request.retry = retry;
    auto job = core::ValidateNewJob(request, clock_.Now());
    EXPECT_TRUE(job.ok());
    const core::JobId id = store::CreateJobAndWait(*store_, *job)->id;
    std::promise<core::Result<core::Run>> run;
    store_->TriggerJob(id, clock_.Now(), [&run](core::Result<core::Run> result) { run.set_value(std::move(result)); });
    return run.get_future().get()->id;
  }

  std::unique_ptr<WorkerPool> StartPool(TaskRunner& runner, std::chrono::milliseconds heartbeat = 5s,
                                        bool single_node = true) {
    WorkerPoolOptions options;
    options.owner = "test-node";
    options.requeue_other_owners_at_start = single_node;
    options.idle_nap = 20ms;
    options.heartbeat_interval = heartbeat;
    auto pool = std::make_unique<WorkerPool>(*store_, clock_, TaskRunners().Set<core::NoopTask>(&runner), options);
    EXPECT_TRUE(pool->Start().ok());
    return pool;
  }

  // Polls the run until it reaches `state`, for at most five seconds.
  core::Run WaitForState(core::RunId id, core::RunState state) {
    for (int i = 0; i < 500; ++i) {
      auto run = store_->GetRun(id);
      if (run.ok() && run->state == state) return *run;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "run " << id << " never reached " << core::ToString(state);
    return store_->GetRun(id).value();
  }

  jobsched::testing::TempDir dir_;
  app::SystemClock clock_;
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
};

TEST_F(WorkerPoolTest, RunsQueuedRunsAndRecordsTheirOutcome) {
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);
  const core::RunId id = QueueRun();
  auto pool = StartPool(runner);

  const core::Run run = WaitForState(id, core::RunState::kSucceeded);

  EXPECT_EQ(run.output, "ok");
  EXPECT_EQ(run.attempt, 1);
  pool->Stop(1s);
}

TEST_F(WorkerPoolTest, FailsARunOfAKindThisNodeHasNoRunnerForSayingWhichSettingIsMissing) {
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);
  core::ShellTask shell;
  shell.command = {"true"};
  const core::RunId id = QueueRun({}, shell);
  auto pool = StartPool(runner);

  const core::Run run = WaitForState(id, core::RunState::kFailed);

  EXPECT_EQ(run.error, "shell tasks are not enabled on this node (--enable-shell-tasks is not set)");
  EXPECT_EQ(runner.calls(), 0);
  pool->Stop(1s);
}

TEST_F(WorkerPoolTest, RetriesAFailedRunUntilItSucceeds) {
  ScriptedRunner runner({RunOutcome::kFailed, RunOutcome::kFailed, RunOutcome::kSucceeded}, false);
  const core::RunId id = QueueRun(core::RetryPolicy{5, 10ms, 20ms, 0.0});
  auto pool = StartPool(runner);

  const core::Run run = WaitForState(id, core::RunState::kSucceeded);

  EXPECT_EQ(run.attempt, 3);
  EXPECT_EQ(runner.calls(), 3);
  pool->Stop(1s);
}

TEST_F(WorkerPoolTest, SaysWhenRetriesRunOut) {
  ScriptedRunner runner({RunOutcome::kFailed}, false);
  const core::RunId id = QueueRun(core::RetryPolicy{2, 10ms, 10ms, 0.0});
  auto pool = StartPool(runner);

  const core::Run run = WaitForState(id, core::RunState::kFailed);

  EXPECT_EQ(run.attempt, 2);
  EXPECT_NE(run.error.find("retries exhausted after 2 attempts"), std::string::npos) << run.error;
  pool->Stop(1s);
}

core::Result<core::Run> RequestCancel(store::JobStore& store, core::RunId id, core::TimePoint now) {
  const core::Run run = store.GetRun(id).value();
  std::promise<core::Result<core::Run>> done;
  store.CancelRun(run.job_id, id, now, [&done](core::Result<core::Run> result) { done.set_value(std::move(result)); });
  return done.get_future().get();
}

TEST_F(WorkerPoolTest, CancelStopsARunningRunWhichEndsCancelledWithoutRetry) {
  ScriptedRunner runner({}, /*block=*/true);
  const core::RunId id = QueueRun(core::RetryPolicy{5, 10ms, 20ms, 0.0});
  auto pool = StartPool(runner);
  WaitForState(id, core::RunState::kRunning);

  ASSERT_TRUE(RequestCancel(*store_, id, clock_.Now()).ok());
  pool->Cancel(id);  // what the API does on this node

  const core::Run run = WaitForState(id, core::RunState::kCancelled);
  EXPECT_EQ(run.attempt, 1);
  EXPECT_EQ(run.error, "cancelled by request");
  EXPECT_EQ(runner.calls(), 1);
  pool->Stop(1s);
}

TEST_F(WorkerPoolTest, ACancelRequestedThroughAnotherNodeArrivesWithTheHeartbeat) {
  ScriptedRunner runner({}, /*block=*/true);
  const core::RunId id = QueueRun();
  auto pool = StartPool(runner, /*heartbeat=*/50ms);
  WaitForState(id, core::RunState::kRunning);

  ASSERT_TRUE(RequestCancel(*store_, id, clock_.Now()).ok());  // the store only: no pool->Cancel

  WaitForState(id, core::RunState::kCancelled);
  pool->Stop(1s);
}

TEST_F(WorkerPoolTest, HandsUnfinishedRunsBackToTheQueueAtShutdown) {
  ScriptedRunner runner({}, true);
  const core::RunId id = QueueRun();
  auto pool = StartPool(runner);
  WaitForState(id, core::RunState::kRunning);

  pool->Stop(50ms);

  const core::Run run = store_->GetRun(id).value();
  EXPECT_EQ(run.state, core::RunState::kQueued);
  EXPECT_EQ(run.attempt, 1);
}

TEST_F(WorkerPoolTest, ReQueuesRunsLeftRunningByAnEarlierProcess) {
  const core::RunId id = QueueRun();
  {
    // An "earlier process" claims the run and dies without a word.
    std::promise<core::Result<std::vector<store::ClaimedRun>>> claimed;
    store_->ClaimRuns("dead-node", 1, clock_.Now(), clock_.Now() + 1h,
                      [&claimed](auto result) { claimed.set_value(std::move(result)); });
    ASSERT_EQ(claimed.get_future().get()->size(), 1u);
  }
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);
  auto pool = StartPool(runner);

  const core::Run run = WaitForState(id, core::RunState::kSucceeded);

  EXPECT_EQ(run.attempt, 2);
  pool->Stop(1s);
}

TEST_F(WorkerPoolTest, InAClusterLeavesTheRunsOfOtherLiveNodesAlone) {
  const core::RunId id = QueueRun();
  std::promise<core::Result<std::vector<store::ClaimedRun>>> claimed;
  store_->ClaimRuns("live-node", 1, clock_.Now(), clock_.Now() + 1h,
                    [&claimed](auto result) { claimed.set_value(std::move(result)); });
  ASSERT_EQ(claimed.get_future().get()->size(), 1u);
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);

  auto pool = StartPool(runner, 5s, /*single_node=*/false);

  const auto run = store_->GetRun(id);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->state, core::RunState::kRunning);
  EXPECT_EQ(run->attempt, 1);
  EXPECT_EQ(runner.calls(), 0);
  pool->Stop(1s);
}

// A run whose outcome the store could not record (a disk error here; on
// PostgreSQL, an outage longer than the finish retry window) is forgotten by
// the executor. Its lease used to be renewed by every heartbeat all the same,
// so it stayed running for ever; now only the runs the pool holds are
// renewed, the lease expires and the run is re-queued and run again.
TEST_F(WorkerPoolTest, ARunWhoseOutcomeCouldNotBeRecordedIsRunAgainOnceItsLeaseExpires) {
  auto db =
      store::sqlite::SqliteConnection::Open(dir_.File("jobs.db"), store::sqlite::SqliteConnection::Mode::kReadWrite);
  ASSERT_TRUE(db.ok()) << db.error().message;
  // The first attempt's outcome fails to be written (an error, as a failing
  // disk would give: integer overflow), the second's is written.
  ASSERT_TRUE((*db)
                  ->Execute("CREATE TRIGGER boom AFTER UPDATE OF state ON runs "
                            "WHEN new.state = 'succeeded' AND old.attempt = 1 "
                            "BEGIN SELECT abs(-9223372036854775807 - 1); END;")
                  .ok());
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);
  const core::RunId id = QueueRun();
  WorkerPoolOptions options;
  options.owner = "test-node";
  options.idle_nap = 20ms;
  options.lease_timeout = 300ms;
  options.heartbeat_interval = 50ms;
  WorkerPool pool(*store_, clock_, TaskRunners().Set<core::NoopTask>(&runner), options);
  ASSERT_TRUE(pool.Start().ok());

  const core::Run run = WaitForState(id, core::RunState::kSucceeded);

  EXPECT_EQ(run.attempt, 2);
  EXPECT_EQ(runner.calls(), 2);
  pool.Stop(1s);
}

// The real store, except that outcomes are held back until Release(): a
// store slow to commit them (PostgreSQL waiting for a disk flush).
class HeldOutcomes final : public store::RunQueue {
 public:
  explicit HeldOutcomes(store::RunQueue& store) : store_(store) {}

  void ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                 ClaimDone done) override {
    store_.ClaimRuns(owner, limit, now, lease_until, std::move(done));
  }
  void FinishRun(const std::string& owner, store::RunCompletion completion, WriteDone done) override {
    std::unique_lock lock(mutex_);
    if (released_) {
      lock.unlock();
      return store_.FinishRun(owner, std::move(completion), std::move(done));
    }
    held_.push_back([this, owner, completion = std::move(completion), done = std::move(done)]() mutable {
      store_.FinishRun(owner, std::move(completion), std::move(done));
    });
  }
  void RetryRun(const std::string& owner, store::RunCompletion failed, core::TimePoint available_at,
                WriteDone done) override {
    store_.RetryRun(owner, std::move(failed), available_at, std::move(done));
  }
  void RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                   RenewDone done) override {
    store_.RenewLeases(owner, lease_until, std::move(held), std::move(done));
  }
  void RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                            CountDone done) override {
    store_.RequeueAbandonedRuns(now, live_owner, all_other_owners, std::move(done));
  }
  void ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                   WriteDone done) override {
    store_.ReleaseRuns(owner, std::move(run_ids), now, std::move(done));
  }
  core::Result<std::size_t> QueuedRunCount() override { return store_.QueuedRunCount(); }
  core::Result<std::size_t> LiveNodeCount(core::TimePoint now) override { return store_.LiveNodeCount(now); }

  std::size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  // Lets the held outcomes through, and those that come later.
  void Release() {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard lock(mutex_);
      released_ = true;
      held.swap(held_);
    }
    for (auto& finish : held) finish();
  }

 private:
  store::RunQueue& store_;
  std::mutex mutex_;
  std::vector<std::function<void()>> held_;
  bool released_ = false;
};

// A slot is a run executing. One whose task has ended frees its slot while
// its outcome is being written: the pool used to wait for that commit before
// claiming more, so on PostgreSQL every slot idled for a commit per run
// (bench/README.md, cluster benchmark). The pool still holds at most twice
// its slots, so outcomes a store is slow to take slow claiming down.
TEST_F(WorkerPoolTest, ClaimsTheNextRunWhileTheLastOutcomeIsBeingWritten) {
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);
  const core::RunId first = QueueRun();
  const core::RunId second = QueueRun();
  const core::RunId third = QueueRun();
  HeldOutcomes queue(*store_);
  WorkerPoolOptions options;
  options.owner = "test-node";
  options.idle_nap = 20ms;
  options.max_concurrent_runs = 1;
  WorkerPool pool(queue, clock_, TaskRunners().Set<core::NoopTask>(&runner), options);
  ASSERT_TRUE(pool.Start().ok());

  for (int i = 0; i < 300 && queue.held() < 2; ++i) std::this_thread::sleep_for(10ms);
  // EXPECT, not ASSERT: the pool cannot stop before the held outcomes are let through.
  EXPECT_EQ(queue.held(), 2u) << "the second run did not start while the first's outcome was unwritten";
  EXPECT_EQ(pool.busy(), 0u);
  std::this_thread::sleep_for(200ms);  // ten naps: time enough to claim the third, were it allowed
  EXPECT_EQ(runner.calls(), 2);
  EXPECT_EQ(store_->GetRun(third)->state, core::RunState::kQueued);

  queue.Release();
  WaitForState(first, core::RunState::kSucceeded);
  WaitForState(second, core::RunState::kSucceeded);
  WaitForState(third, core::RunState::kSucceeded);
  pool.Stop(1s);
}

// Stop returns once every store callback has run; the last callback must not
// touch the pool after that (it notified its condition variable after
// unlocking, so the pool could be destroyed under it: found by TSan). Here
// Stop is already waiting when the callback ends, so TSan sees any access
// the callback makes after Stop could return.
TEST_F(WorkerPoolTest, CanBeDestroyedAsSoonAsItsLastOutcomeIsRecorded) {
  ScriptedRunner runner({RunOutcome::kSucceeded}, false);
  std::promise<void> finishing;
  WorkerPoolOptions options;
  options.owner = "test-node";
  // Neither the dispatcher nor the heartbeat may be waiting for the store
  // (which is busy with the callback) when the destructor joins them: both
  // sleep, the heartbeat once its first renewal is done.
  options.idle_nap = 1h;
  options.heartbeat_interval = 1h;
  options.on_run_finished = [&finishing](std::string_view, core::RunState) {
    finishing.set_value();
    std::this_thread::sleep_for(100ms);  // long enough for the pool's destructor to be waiting
  };
  auto pool = std::make_unique<WorkerPool>(*store_, clock_, TaskRunners().Set<core::NoopTask>(&runner), options);
  const auto created = pool->last_heartbeat();
  ASSERT_TRUE(pool->Start().ok());
  while (pool->last_heartbeat() == created) std::this_thread::sleep_for(1ms);
  const core::RunId id = QueueRun();
  pool->Notify();

  finishing.get_future().wait();
  pool.reset();

  EXPECT_EQ(store_->GetRun(id)->state, core::RunState::kSucceeded);
}

}  // namespace
}  // namespace jobsched::executor
