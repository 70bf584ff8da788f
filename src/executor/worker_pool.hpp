#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/task_kind.hpp"
#include "executor/task_runner.hpp"
#include "store/run_queue.hpp"

namespace jobsched::executor {

// The runner for each task kind. `email` may be null when no SMTP server is
// configured, `shell` when shell tasks are not enabled; such runs fail with a
// clear error.
// The runner of each task kind, indexed like core::Task::index(); none for a
// kind this node does not run (its runs fail, saying which setting is
// missing). The runners are not owned.
class TaskRunners {
 public:
  template <typename TaskStruct>
  TaskRunners& Set(TaskRunner* runner) {
    runners_[core::kTaskKindIndex<TaskStruct>] = runner;
    return *this;
  }
  TaskRunners& Set(std::size_t kind_index, TaskRunner* runner) {
    runners_.at(kind_index) = runner;
    return *this;
  }
  // The runner for `task`'s kind, or nullptr.
  TaskRunner* For(const core::Task& task) const { return runners_[task.index()]; }

 private:
  std::array<TaskRunner*, core::kTaskKindCount> runners_{};
};

struct WorkerPoolOptions {
  // Who this process is in the run queue's leases; unique per process start.
  std::string owner;
  // Runs executing at once. Beyond it, runs wait in the queue table: nothing
  // is dropped. I/O tasks cost a socket each; compute tasks also queue for
  // the compute runner's threads.
  std::size_t max_concurrent_runs = 256;
  // A claimed run's lease; renewed every heartbeat_interval while it runs.
  // After a crash, its runs are re-queued this long after the last renewal.
  std::chrono::milliseconds lease_timeout{30'000};
  std::chrono::milliseconds heartbeat_interval{5'000};
  // At Start(), re-queue the running runs of every other owner: right when
  // this process is the store's only user (SQLite), since they are orphans
  // of an earlier process. Off in a cluster, where other owners are live
  // nodes; a dead node's runs are re-queued when their leases expire.
  bool requeue_other_owners_at_start = true;
  // Longest wait for new runs without being notified (a safety net).
  std::chrono::milliseconds idle_nap{1'000};
  // Recipient of the original's "Send Email Notification" jobs.
  std::optional<std::string> default_email_to;
  // Told when a scheduled run's first attempt starts, how long after its due
  // time (scheduled_for + jitter); and when a run reaches a final state here,
  // with its task type ("http", ...) and state. For metrics; may be empty.
  std::function<void(std::chrono::nanoseconds lag)> on_run_started;
  std::function<void(std::string_view task_type, core::RunState state)> on_run_finished;
};

// Claims queued runs, runs each with its task kind's runner, and records the
// outcome. Runs hold a lease while they execute; the pool renews the leases
// of the runs it holds and re-queues runs whose lease expired (their process
// died, or gave up on them: see HeldRuns).
class WorkerPool {
 public:
  // `queue`, `clock` and the runners must outlive the pool.
  WorkerPool(store::RunQueue& queue, const core::Clock& clock, TaskRunners runners, WorkerPoolOptions options);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Re-queues runs left running by earlier processes of this store (they
  // died: every other owner's, or only those whose lease expired, see
  // requeue_other_owners_at_start), then starts claiming. Fails when the
  // store cannot be reached.
  core::Result<void> Start() EXCLUDES(mutex_);

  // Runs were queued: claim them now rather than at the next nap's end.
  void Notify() EXCLUDES(mutex_);

  // Graceful shutdown: stops claiming, lets runs in flight finish for up to
  // `grace`, then cancels the rest and hands them back to the queue. Returns
  // once every outcome has been written. Idempotent.
  void Stop(std::chrono::milliseconds grace) EXCLUDES(mutex_);

  // Someone asked to cancel this run (see JobStore::CancelRun): stop it if it
  // runs here. Its outcome is then recorded as cancelled, with no retry. Runs
  // of other nodes learn it at their next heartbeat.
  void Cancel(core::RunId run_id) EXCLUDES(mutex_);

  // Runs executing now (not those whose task ended and whose outcome is being written).
  std::size_t busy() const EXCLUDES(mutex_);
  std::size_t slots() const { return options_.max_concurrent_runs; }
  // When this node last renewed its leases (its heartbeat), or when it
  // started if it has not yet.
  std::chrono::steady_clock::time_point last_heartbeat() const EXCLUDES(mutex_);

 private:
  struct InFlight {
    int attempt = 1;
    core::RetryPolicy retry;
    std::stop_source stop;
    std::chrono::steady_clock::time_point deadline;  // when the watchdog gives up on it
    bool settled = false;                            // an outcome was decided; later ones are ignored
    bool cancel_requested = false;                   // someone cancelled it: it ends as cancelled
    std::string_view task_type = "unknown";          // for metrics
  };

  void DispatchLoop() EXCLUDES(mutex_);
  void HeartbeatLoop() EXCLUDES(mutex_);
  // The runs whose leases the heartbeat renews, in id order.
  std::vector<core::RunId> HeldRuns() const EXCLUDES(mutex_);
  void Launch(const store::ClaimedRun& claimed) EXCLUDES(mutex_);
  void OnTaskDone(core::RunId run_id, TaskResult result) EXCLUDES(mutex_);
  void Record(core::RunId run_id, core::RunState state, std::string output, std::string error) EXCLUDES(mutex_);
  // Queues the next attempt of a failed run after its backoff, when its
  // retry policy allows one. Returns false when it does not.
  bool RetryIfAllowed(core::RunId run_id, const TaskResult& result) EXCLUDES(mutex_);
  void Release(std::vector<core::RunId> run_ids) EXCLUDES(mutex_);
  void Forget(core::RunId run_id) EXCLUDES(mutex_);
  // Slots free for claiming: max_concurrent_runs less the runs executing,
  // within the bound on runs held (see the .cpp).
  std::size_t FreeSlots() const REQUIRES(mutex_);
  // Marks `entry` settled (its task ended, its outcome is decided): its slot is free.
  void Settle(InFlight& entry) REQUIRES(mutex_);
  // Takes the run out of in_flight_, whether settled or not.
  void Erase(core::RunId run_id) REQUIRES(mutex_);
  void EnforceDeadlines() EXCLUDES(mutex_);

  store::RunQueue& queue_;
  const core::Clock& clock_;
  const TaskRunners runners_;
  const WorkerPoolOptions options_;

  mutable core::Mutex mutex_;
  std::condition_variable changed_;
  bool started_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool notified_ GUARDED_BY(mutex_) = true;
  std::map<core::RunId, InFlight> in_flight_ GUARDED_BY(mutex_);
  std::size_t pending_writes_ GUARDED_BY(mutex_) = 0;  // store calls not yet answered
  std::size_t settled_ GUARDED_BY(mutex_) = 0;         // entries of in_flight_ that are settled
  std::mt19937_64 random_ GUARDED_BY(mutex_);          // for retry jitter
  std::chrono::steady_clock::time_point last_heartbeat_ GUARDED_BY(mutex_) = std::chrono::steady_clock::now();
  std::thread dispatcher_;
  std::thread heartbeat_;
};

}  // namespace jobsched::executor
