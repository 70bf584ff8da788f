#include "scheduler/scheduler.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/firing.hpp"

namespace jobsched::scheduler {

Scheduler::Scheduler(store::JobStore& store, const core::Clock& clock, SchedulerOptions options,
                     std::function<void()> on_runs_created)
    : store_(store), clock_(clock), options_(std::move(options)), on_runs_created_(std::move(on_runs_created)) {}

Scheduler::~Scheduler() { Stop(); }

core::Result<std::size_t> Scheduler::ResumePaused() {
  std::size_t count = 0;
  for (;;) {
    auto resumed = store::ResumePausedJobsAndWait(store_, clock_.Now(), options_.batch_size, options_.resume_audit);
    if (!resumed) return resumed.error();
    for (const core::Job& job : *resumed) {
      spdlog::info("scheduler: job {} ({}/{}) resumed: its pause ended; next run {}", job.id, job.namespace_name,
                   job.name, job.next_run ? core::FormatRfc3339(*job.next_run) : std::string("none"));
    }
    count += resumed->size();
    if (resumed->size() < options_.batch_size || StopAsked()) return count;
  }
}

bool Scheduler::StopAsked() const {
  core::MutexLock lock(mutex_);
  return stopping_;
}

core::Result<std::size_t> Scheduler::FireDue() {
  if (auto resumed = ResumePaused(); !resumed) return resumed.error();
  std::size_t created = 0;
  for (;;) {
    const core::FiringLimits limits = options_.firing_limits;
    auto fired = store::FireDueJobsAndWait(
        store_, clock_.Now(), options_.batch_size,
        [limits](const core::Job& job, core::TimePoint now, std::optional<core::RunId> run_in_progress) {
          return core::PlanLimitedFiring(job, now, run_in_progress, limits);
        });
    if (!fired) return fired.error();
    created += fired->runs_created;
    if (fired->runs_created > 0 && on_runs_created_) on_runs_created_();
    if (!fired->more_due || StopAsked()) return created;
  }
}

void Scheduler::Start() {
  core::MutexLock lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  // Alive from its start: until the loop's first tick, /readyz must not call
  // a loop that has not run yet stuck (it did, on a fast start-up).
  last_tick_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::NotifyNextRun(core::TimePoint next_run) {
  {
    core::MutexLock lock(mutex_);
    if (next_run >= sleeping_until_) return;
    woken_ = true;
  }
  wake_.notify_all();
}

bool Scheduler::IsAlive(std::chrono::milliseconds within) const {
  core::MutexLock lock(mutex_);
  // A sleeping loop is alive: it only has to wake before its nap ends.
  return std::chrono::steady_clock::now() - last_tick_ <= within + options_.max_nap;
}

namespace {
constexpr core::Milliseconds kClockSkewPause{10};
}  // namespace

void Scheduler::Loop() {
  std::chrono::milliseconds backoff = options_.min_backoff;
  for (;;) {
    {
      core::MutexLock lock(mutex_);
      if (stopping_) return;
      last_tick_ = std::chrono::steady_clock::now();
      // Anything written from here on may be due before our next sleep ends:
      // until we pick that sleep, every notification must wake us.
      sleeping_until_ = core::TimePoint::min();
      woken_ = false;
    }
    auto fired = FireDue();
    auto next = fired ? store_.NextDueTime() : core::Result<std::optional<core::TimePoint>>(fired.error());

    const core::TimePoint now = clock_.Now();
    core::TimePoint wake_at = now + options_.max_nap;
    if (!next) {
      spdlog::warn("scheduler: store unavailable, retrying in {} ms: {}", backoff.count(), next.error().message);
      wake_at = now + backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      backoff = options_.min_backoff;
      if (*next) wake_at = std::min(wake_at, **next);
      // Due by our clock but nothing fired: the store judges by another
      // clock (PostgreSQL's, in a cluster) that is a little behind ours.
      // Look again shortly rather than spin until the clocks agree.
      if (fired && *fired == 0 && wake_at <= now) wake_at = now + kClockSkewPause;
    }

    core::MutexLock lock(mutex_);
    if (woken_) continue;  // a job became due while we were firing
    sleeping_until_ = wake_at;
    // The clock may be faked in tests, but sleeping is always real: convert
    // the distance to the wake-up time into a steady-clock deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::max(wake_at - now, core::Milliseconds{0});
    wake_.wait_until(lock.native(), deadline, [this] {
      mutex_.AssertHeld();
      return stopping_ || woken_;
    });
  }
}

}  // namespace jobsched::scheduler
