#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <optional>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/firing.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "store/job_store.hpp"

namespace jobsched::scheduler {

struct SchedulerOptions {
  // Jobs fired per transaction. Larger batches fire a crowd of due jobs
  // faster; smaller ones keep each transaction short so API writes queued
  // behind it wait less.
  std::size_t batch_size = 512;
  // Longest sleep even when nothing is due: a safety net should a wake-up be
  // missed (e.g. a job written by another process). Costs one cheap query.
  std::chrono::milliseconds max_nap{30'000};
  // First and longest pause after a failed store call, doubling in between.
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{10'000};
  // The operator's run quota and minimum period, as one firing applies them
  // (core::PlanLimitedFiring). No limits by default.
  core::FiringLimits firing_limits = {};
  // Who the audit log names for a pause that reached its end (actor
  // "scheduler", jobs described as the API shows them); none: not recorded.
  store::Audit resume_audit = std::nullopt;
};

// Fires jobs when they are due. It sleeps until the earliest next_run, never
// on a fixed tick; NotifyNextRun() wakes it early when a job becomes due
// sooner. Each firing is one store transaction per batch (runs inserted and
// next_run advanced together), so an occurrence fires exactly once.
class Scheduler {
 public:
  // `store` and `clock` must outlive the scheduler. `on_runs_created` is
  // called (from the scheduler thread) after a batch created runs: the
  // executor's cue to claim them.
  Scheduler(store::JobStore& store, const core::Clock& clock, SchedulerOptions options,
            std::function<void()> on_runs_created);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler();

  // Resumes the jobs whose pause ended by clock.Now() (ResumePaused), then
  // fires everything due at clock.Now(), batch after batch, and returns the
  // number of runs created. What the loop calls; tests call it with a fake clock.
  // Once Stop() was asked, it returns after the batch in hand: a backlog of a
  // million due jobs would otherwise hold a shutdown up until all had fired.
  core::Result<std::size_t> FireDue() EXCLUDES(mutex_);

  // Resumes every job paused until an instant at or before clock.Now(), batch
  // after batch, logging each, and returns how many this node resumed.
  core::Result<std::size_t> ResumePaused() EXCLUDES(mutex_);

  // Starts the loop on its own thread.
  void Start() EXCLUDES(mutex_);
  // Stops the loop and joins it. Idempotent.
  void Stop() EXCLUDES(mutex_);

  // A job is now due at `next_run`: wake up if that is earlier than the
  // current sleep. Cheap; safe from any thread.
  void NotifyNextRun(core::TimePoint next_run) EXCLUDES(mutex_);

  // Whether the loop ran within the last `within` (for readiness checks).
  bool IsAlive(std::chrono::milliseconds within) const EXCLUDES(mutex_);

 private:
  void Loop() EXCLUDES(mutex_);
  bool StopAsked() const EXCLUDES(mutex_);

  store::JobStore& store_;
  const core::Clock& clock_;
  const SchedulerOptions options_;
  const std::function<void()> on_runs_created_;

  mutable core::Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool woken_ GUARDED_BY(mutex_) = false;
  core::TimePoint sleeping_until_ GUARDED_BY(mutex_){};
  std::chrono::steady_clock::time_point last_tick_ GUARDED_BY(mutex_){};
  std::thread thread_;
};

}  // namespace jobsched::scheduler
