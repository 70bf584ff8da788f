#include "executor/worker_pool.hpp"

#include <algorithm>
#include <future>

#include <spdlog/spdlog.h>

namespace jobsched::executor {
namespace {

// A runner gets its timeout; the watchdog waits this much longer before it
// gives up on a runner that did not honour it.
constexpr std::chrono::milliseconds kWatchdogSlack{2'000};
// After `grace`, cancelled runners get this long to hand their runs back.
constexpr std::chrono::milliseconds kCancelWait{1'000};
constexpr std::chrono::milliseconds kStoreRetryPause{500};
// Runs held at once, per slot: those executing and those whose outcome is
// being written (see FreeSlots).
constexpr std::size_t kMaxHeldPerSlot = 2;

core::RunState StateFor(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kSucceeded: return core::RunState::kSucceeded;
    case RunOutcome::kTimedOut: return core::RunState::kTimedOut;
    case RunOutcome::kFailed:
    case RunOutcome::kCancelled: return core::RunState::kFailed;
  }
  return core::RunState::kFailed;
}

}  // namespace

WorkerPool::WorkerPool(store::RunQueue& queue, const core::Clock& clock, TaskRunners runners, WorkerPoolOptions options)
    : queue_(queue), clock_(clock), runners_(runners), options_(std::move(options)), random_(std::random_device{}()) {}

WorkerPool::~WorkerPool() { Stop(std::chrono::milliseconds{0}); }

core::Result<void> WorkerPool::Start() {
  std::promise<core::Result<std::size_t>> requeued;
  queue_.RequeueAbandonedRuns(clock_.Now(), options_.owner, options_.requeue_other_owners_at_start,
                              [&requeued](core::Result<std::size_t> result) { requeued.set_value(std::move(result)); });
  auto result = requeued.get_future().get();
  if (!result) return result.error();
  if (*result > 0) spdlog::info("executor: re-queued {} runs left running by an earlier process", *result);

  core::MutexLock lock(mutex_);
  started_ = true;
  dispatcher_ = std::thread([this] { DispatchLoop(); });
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
  return core::Ok();
}

void WorkerPool::Notify() {
  {
    core::MutexLock lock(mutex_);
    notified_ = true;
  }
  changed_.notify_all();
}

void WorkerPool::Cancel(core::RunId run_id) {
  core::MutexLock lock(mutex_);
  auto found = in_flight_.find(run_id);
  if (found == in_flight_.end() || found->second.settled) return;
  found->second.cancel_requested = true;
  found->second.stop.request_stop();
  // A runner that ignores the request is given up on soon, not at its timeout.
  found->second.deadline = std::min(found->second.deadline, std::chrono::steady_clock::now() + kCancelWait);
}

std::chrono::steady_clock::time_point WorkerPool::last_heartbeat() const {
  core::MutexLock lock(mutex_);
  return last_heartbeat_;
}

std::size_t WorkerPool::busy() const {
  core::MutexLock lock(mutex_);
  return in_flight_.size() - settled_;
}

// A slot is a run executing: one whose task has ended frees its slot at
// once, while its outcome is still being written. Waiting for that write
// (a commit, a disk flush on PostgreSQL) before claiming more left every slot
// idle for a commit per run cycle; now the next claim and the outcomes'
// write go on side by side. Runs whose outcome is being written are still
// held (their leases renewed, see HeldRuns), and at most
// kMaxHeldPerSlot * max_concurrent_runs are held at once, so a store slow to
// take outcomes slows claiming down instead of letting them pile up.
std::size_t WorkerPool::FreeSlots() const {
  const std::size_t executing = in_flight_.size() - settled_;
  const std::size_t most_held = kMaxHeldPerSlot * options_.max_concurrent_runs;
  if (executing >= options_.max_concurrent_runs || in_flight_.size() >= most_held) return 0;
  return std::min(options_.max_concurrent_runs - executing, most_held - in_flight_.size());
}

void WorkerPool::Settle(InFlight& entry) {
  entry.settled = true;
  ++settled_;
  notified_ = true;  // its slot is free: there may be queued runs to claim
  changed_.notify_all();
}

void WorkerPool::Erase(core::RunId run_id) {
  auto found = in_flight_.find(run_id);
  if (found == in_flight_.end()) return;
  if (found->second.settled) --settled_;
  in_flight_.erase(found);
}

void WorkerPool::DispatchLoop() {
  core::MutexLock lock(mutex_);
  for (;;) {
    changed_.wait_for(lock.native(), options_.idle_nap, [this] {
      mutex_.AssertHeld();
      return stopping_ || (notified_ && FreeSlots() > 0);
    });
    if (stopping_) return;
    const std::size_t free_slots = FreeSlots();
    if (free_slots == 0) continue;
    notified_ = false;
    lock.Unlock();

    const core::TimePoint now = clock_.Now();
    std::promise<core::Result<std::vector<store::ClaimedRun>>> claimed_promise;
    queue_.ClaimRuns(options_.owner, free_slots, now, now + options_.lease_timeout,
                     [&claimed_promise](auto result) { claimed_promise.set_value(std::move(result)); });
    auto claimed = claimed_promise.get_future().get();
    if (!claimed) {
      spdlog::warn("executor: cannot claim runs: {}", claimed.error().message);
      lock.Lock();
      changed_.wait_for(lock.native(), kStoreRetryPause, [this] {
        mutex_.AssertHeld();
        return stopping_;
      });
      notified_ = true;
      continue;
    }
    const bool batch_full = claimed->size() == free_slots;
    for (store::ClaimedRun& run : *claimed) Launch(run);
    lock.Lock();
    // A full batch means more may be waiting: look again at once.
    if (batch_full) notified_ = true;
  }
}

void WorkerPool::Launch(const store::ClaimedRun& claimed) {
  const core::RunId run_id = claimed.run.id;
  std::stop_token stop;
  {
    core::MutexLock lock(mutex_);
    InFlight& entry = in_flight_[run_id];
    entry.attempt = claimed.run.attempt;
    entry.retry = claimed.retry;
    entry.deadline = std::chrono::steady_clock::now() + claimed.timeout + kWatchdogSlack;
    stop = entry.stop.get_token();
  }
  auto task = core::ResolveTask(claimed.task, claimed.job_name, options_.default_email_to);
  if (!task) {
    Record(run_id, core::RunState::kFailed, {}, task.error().message);
    return;
  }
  {
    core::MutexLock lock(mutex_);
    if (auto found = in_flight_.find(run_id); found != in_flight_.end()) {
      found->second.task_type = core::TaskTypeName(*task);
    }
  }
  if (options_.on_run_started && claimed.run.trigger == core::RunTrigger::kSchedule && claimed.run.attempt == 1) {
    options_.on_run_started(clock_.Now() - (claimed.run.scheduled_for + claimed.run.jitter));
  }
  TaskRunner* runner = runners_.For(*task);
  if (runner == nullptr) {
    const core::TaskKind& kind = core::KindOf(*task);
    const std::string_view setting = core::EnablingSetting(kind.enablement);
    Record(run_id, core::RunState::kFailed, {},
           std::string(kind.name) + " tasks are not enabled on this node (" +
               (setting.empty() ? std::string("it has no runner for them") : std::string(setting) + " is not set") +
               ")");
    return;
  }
  RunContext context;
  context.run_id = run_id;
  context.job_id = claimed.run.job_id;
  context.attempt = claimed.run.attempt;
  context.timeout = claimed.timeout;
  context.stop = stop;
  runner->Start(*task, context, [this, run_id](TaskResult result) { OnTaskDone(run_id, std::move(result)); });
}

void WorkerPool::OnTaskDone(core::RunId run_id, TaskResult result) {
  bool cancel_requested = false;
  {
    core::MutexLock lock(mutex_);
    auto found = in_flight_.find(run_id);
    cancel_requested = found != in_flight_.end() && found->second.cancel_requested;
  }
  if (cancel_requested && result.outcome != RunOutcome::kSucceeded) {
    Record(run_id, core::RunState::kCancelled, std::move(result.output), "cancelled by request");
    return;
  }
  if (result.outcome == RunOutcome::kCancelled) {
    // Cancelled means "did not finish": during shutdown the run goes back to
    // the queue for another node or the next start.
    Release({run_id});
    return;
  }
  if (result.outcome != RunOutcome::kSucceeded && RetryIfAllowed(run_id, result)) return;
  Record(run_id, StateFor(result.outcome), std::move(result.output), std::move(result.error));
}

bool WorkerPool::RetryIfAllowed(core::RunId run_id, const TaskResult& result) {
  std::optional<core::Milliseconds> delay;
  int attempt = 1;
  {
    core::MutexLock lock(mutex_);
    auto found = in_flight_.find(run_id);
    if (found == in_flight_.end() || found->second.settled) return false;
    attempt = found->second.attempt;
    const double random01 = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    delay = core::RetryDelay(found->second.retry, attempt + 1, random01);
    if (!delay) return false;
    Settle(found->second);
    ++pending_writes_;
  }
  store::RunCompletion failed;
  failed.run_id = run_id;
  failed.state = StateFor(result.outcome);
  failed.finished_at = clock_.Now();
  failed.output = result.output;
  failed.error =
      "attempt " + std::to_string(attempt) + " " + std::string(core::ToString(failed.state)) + ": " + result.error;
  const core::TimePoint available_at = failed.finished_at + *delay;
  queue_.RetryRun(options_.owner, std::move(failed), available_at, [this, run_id](const core::Result<void>& retried) {
    if (!retried) spdlog::warn("executor: retry of run {} not queued: {}", run_id, retried.error().message);
    Forget(run_id);
  });
  return true;
}

void WorkerPool::Record(core::RunId run_id, core::RunState state, std::string output, std::string error) {
  std::string_view task_type;
  {
    core::MutexLock lock(mutex_);
    auto found = in_flight_.find(run_id);
    if (found == in_flight_.end() || found->second.settled) return;
    Settle(found->second);
    task_type = found->second.task_type;
    ++pending_writes_;
    // The final state says when the retries ran out.
    if (state != core::RunState::kSucceeded && state != core::RunState::kCancelled &&
        found->second.retry.max_attempts > 1 && found->second.attempt >= found->second.retry.max_attempts) {
      error = "retries exhausted after " + std::to_string(found->second.attempt) + " attempts; last: " + error;
    }
  }
  store::RunCompletion completion;
  completion.run_id = run_id;
  completion.state = state;
  completion.finished_at = clock_.Now();
  completion.output = std::move(output);
  completion.error = std::move(error);
  queue_.FinishRun(options_.owner, std::move(completion),
                   [this, run_id, task_type, state](const core::Result<void>& recorded) {
                     if (!recorded) {
                       spdlog::warn("executor: outcome of run {} not recorded: {}", run_id, recorded.error().message);
                     } else if (options_.on_run_finished) {
                       options_.on_run_finished(task_type, state);
                     }
                     Forget(run_id);
                   });
}

void WorkerPool::Release(std::vector<core::RunId> run_ids) {
  {
    core::MutexLock lock(mutex_);
    std::erase_if(run_ids, [this](core::RunId id) {
      mutex_.AssertHeld();  // the predicate runs under the lock
      auto found = in_flight_.find(id);
      if (found == in_flight_.end() || found->second.settled) return true;
      Settle(found->second);
      return false;
    });
    if (run_ids.empty()) return;
    ++pending_writes_;
  }
  queue_.ReleaseRuns(options_.owner, run_ids, clock_.Now(), [this, run_ids](const core::Result<void>& released) {
    if (!released) spdlog::warn("executor: runs not handed back: {}", released.error().message);
    core::MutexLock lock(mutex_);
    for (core::RunId id : run_ids) Erase(id);
    --pending_writes_;
    changed_.notify_all();
  });
}

void WorkerPool::Forget(core::RunId run_id) {
  core::MutexLock lock(mutex_);
  Erase(run_id);
  --pending_writes_;
  notified_ = true;  // below kMaxHeldPerSlot again, perhaps: look for queued runs
  // Notify before unlocking: once the lock is released with no write
  // pending, Stop may return and the pool be destroyed, condition variable
  // and all.
  changed_.notify_all();
}

void WorkerPool::Stop(std::chrono::milliseconds grace) {
  {
    core::MutexLock lock(mutex_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  changed_.notify_all();
  dispatcher_.join();
  heartbeat_.join();

  core::MutexLock lock(mutex_);
  changed_.wait_for(lock.native(), grace, [this] {
    mutex_.AssertHeld();
    return in_flight_.empty();
  });
  // Out of time: ask the rest to stop; a runner that honours it hands its
  // run back through OnTaskDone. Whatever is left is released here.
  for (auto& [id, entry] : in_flight_) entry.stop.request_stop();
  changed_.wait_for(lock.native(), kCancelWait, [this] {
    mutex_.AssertHeld();
    return in_flight_.empty();
  });
  std::vector<core::RunId> unfinished;
  for (const auto& [id, entry] : in_flight_) {
    if (!entry.settled) unfinished.push_back(id);
  }
  lock.Unlock();
  if (!unfinished.empty()) {
    spdlog::info("executor: handing {} unfinished runs back to the queue", unfinished.size());
    Release(std::move(unfinished));
  }
  lock.Lock();
  // Every store callback refers to this pool: wait until all have run.
  changed_.wait(lock.native(), [this] {
    mutex_.AssertHeld();
    return pending_writes_ == 0;
  });
}

}  // namespace jobsched::executor
