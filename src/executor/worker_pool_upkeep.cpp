// The worker pool's upkeep, from its heartbeat thread: runs past their
// deadline are recorded as timed out, and the node's heartbeat renews the
// leases of the runs it holds and re-queues runs whose lease expired.
#include <future>

#include <spdlog/spdlog.h>

#include "executor/worker_pool.hpp"

namespace jobsched::executor {

void WorkerPool::EnforceDeadlines() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<core::RunId> overdue;
  std::vector<core::RunId> cancelled;
  {
    core::MutexLock lock(mutex_);
    for (auto& [id, entry] : in_flight_) {
      if (!entry.settled && now > entry.deadline) {
        entry.stop.request_stop();
        (entry.cancel_requested ? cancelled : overdue).push_back(id);
      }
    }
  }
  for (core::RunId id : overdue) {
    Record(id, core::RunState::kTimedOut, {}, "the task did not stop within its timeout");
  }
  for (core::RunId id : cancelled) {
    Record(id, core::RunState::kCancelled, {}, "cancelled by request (the task did not stop when asked)");
  }
}

// Every run in in_flight_, settled ones too: their outcome is still being
// written (PgFinishBatcher tries an unreachable database again for up to
// 20 s), and until it is, the run must keep its lease. A run the pool has
// forgotten (its outcome could not be written) is left out, so its lease is
// not renewed and RequeueAbandonedRuns re-queues it once it expires: the run
// executes again rather than staying running for ever. It is not handed
// back at once, since "held in the store but not in in_flight_" also
// describes a run ClaimRuns just answered with and Launch has not yet
// entered: handing it back would run it twice. Missing one heartbeat costs
// such a run nothing: its claim leased it for lease_timeout, and the next
// heartbeat comes heartbeat_interval later (lease_timeout / 6 in the
// service), long before that expires.
std::vector<core::RunId> WorkerPool::HeldRuns() const {
  core::MutexLock lock(mutex_);
  std::vector<core::RunId> held;
  held.reserve(in_flight_.size());
  for (const auto& [id, entry] : in_flight_) held.push_back(id);
  return held;
}

void WorkerPool::HeartbeatLoop() {
  auto next_heartbeat = std::chrono::steady_clock::now();
  core::MutexLock lock(mutex_);
  while (!stopping_) {
    lock.Unlock();
    EnforceDeadlines();
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      next_heartbeat += options_.heartbeat_interval;
      const core::TimePoint now = clock_.Now();
      std::promise<core::Result<std::vector<core::RunId>>> renewed_promise;
      queue_.RenewLeases(options_.owner, now + options_.lease_timeout, HeldRuns(),
                         [&renewed_promise](auto result) { renewed_promise.set_value(std::move(result)); });
      if (auto renewed = renewed_promise.get_future().get(); !renewed) {
        spdlog::warn("executor: leases not renewed: {}", renewed.error().message);
      } else {
        {
          core::MutexLock heartbeat_lock(mutex_);
          last_heartbeat_ = std::chrono::steady_clock::now();
        }
        // Runs someone cancelled through the API of another node.
        for (const core::RunId id : *renewed) Cancel(id);
      }
      // Expired leases belong to processes that stopped renewing, or to runs
      // this one gave up on (see HeldRuns): re-queue.
      std::promise<core::Result<std::size_t>> requeued;
      queue_.RequeueAbandonedRuns(now, options_.owner, false,
                                  [&requeued](auto result) { requeued.set_value(std::move(result)); });
      if (auto count = requeued.get_future().get(); count && *count > 0) {
        spdlog::info("executor: re-queued {} runs whose lease expired", *count);
        Notify();
      }
    }
    lock.Lock();
    changed_.wait_for(lock.native(), std::chrono::milliseconds{200}, [this] {
      mutex_.AssertHeld();
      return stopping_;
    });
  }
}

}  // namespace jobsched::executor
