#include "scheduler/retention.hpp"

#include <spdlog/spdlog.h>

#include "store/wait.hpp"

namespace jobsched::scheduler {

using store::Wait;

Retention::Retention(store::JobStore& store, const core::Clock& clock, RetentionOptions options,
                     store::SessionStore* sessions, store::AuditLog* audit)
    : store_(store), clock_(clock), sessions_(sessions), audit_(audit), options_(options) {}

Retention::~Retention() { Stop(); }

bool Retention::Pause(std::chrono::milliseconds pause) {
  core::MutexLock lock(mutex_);
  return !wake_.wait_for(lock.native(), pause, [this] {
    mutex_.AssertHeld();
    return stopping_;
  });
}

core::Result<std::size_t> Retention::PruneOnce() {
  std::size_t total = 0;
  if (options_.keep_for.count() > 0) {
    const core::TimePoint before = clock_.Now() - options_.keep_for;
    for (;;) {
      auto deleted = Wait<std::size_t>(
          [&](auto done) { store_.PruneRunsFinishedBefore(before, options_.batch_rows, std::move(done)); });
      if (!deleted) return deleted.error();
      total += *deleted;
      if (*deleted < options_.batch_rows) break;
      if (!Pause(options_.pause)) return total;
    }
  }
  if (options_.keep_per_job > 0) {
    core::JobId after = 0;
    for (;;) {
      auto pruned = Wait<store::PruneResult>([&](auto done) {
        store_.PruneRunsBeyond(options_.keep_per_job, after, options_.batch_jobs, options_.batch_rows, std::move(done));
      });
      if (!pruned) return pruned.error();
      total += pruned->deleted;
      if (!pruned->last_job) break;
      after = *pruned->last_job;
      if (!Pause(options_.pause)) return total;
    }
  }
  return total;
}

core::Result<std::size_t> Retention::PruneSessionsOnce() {
  if (sessions_ == nullptr) return std::size_t{0};
  std::size_t total = 0;
  const core::TimePoint now = clock_.Now();
  for (;;) {
    auto deleted = store::DeleteExpiredSessionsAndWait(*sessions_, now, options_.batch_rows);
    if (!deleted) return deleted.error();
    total += *deleted;
    if (*deleted < options_.batch_rows) return total;
    if (!Pause(options_.pause)) return total;
  }
}

core::Result<std::size_t> Retention::PruneRollupsOnce() {
  if (options_.rollups_for.count() == 0) return std::size_t{0};
  std::size_t total = 0;
  const core::TimePoint before = clock_.Now() - options_.rollups_for;
  for (;;) {
    auto deleted = Wait<std::size_t>(
        [&](auto done) { store_.PruneRunRollupsBefore(before, options_.batch_rows, std::move(done)); });
    if (!deleted) return deleted.error();
    total += *deleted;
    if (*deleted < options_.batch_rows) return total;
    if (!Pause(options_.pause)) return total;
  }
}

core::Result<std::size_t> Retention::PruneAuditOnce() {
  if (audit_ == nullptr || options_.audit_for.count() == 0) return std::size_t{0};
  std::size_t total = 0;
  const core::TimePoint before = clock_.Now() - options_.audit_for;
  for (;;) {
    auto deleted =
        Wait<std::size_t>([&](auto done) { audit_->PruneAuditBefore(before, options_.batch_rows, std::move(done)); });
    if (!deleted) return deleted.error();
    total += *deleted;
    if (*deleted < options_.batch_rows) return total;
    if (!Pause(options_.pause)) return total;
  }
}

void Retention::Start() {
  // Keeping every run, roll-up and audit entry and having no sessions: nothing to do.
  if (options_.keep_for.count() == 0 && options_.keep_per_job == 0 && options_.rollups_for.count() == 0 &&
      sessions_ == nullptr && (audit_ == nullptr || options_.audit_for.count() == 0)) {
    return;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Retention::Loop() {
  do {
    auto pruned = PruneOnce();
    if (!pruned) {
      spdlog::warn("retention: pruning run history failed (will try again): {}", pruned.error().message);
    } else if (*pruned > 0) {
      spdlog::info("retention: deleted {} finished runs", *pruned);
    }
    if (auto rollups = PruneRollupsOnce(); !rollups) {
      spdlog::warn("retention: pruning the roll-ups of run statistics failed (will try again): {}",
                   rollups.error().message);
    }
    if (auto audit = PruneAuditOnce(); !audit) {
      spdlog::warn("retention: pruning the audit log failed (will try again): {}", audit.error().message);
    } else if (*audit > 0) {
      spdlog::info("retention: deleted {} audit log entries", *audit);
    }
    if (auto sessions = PruneSessionsOnce(); !sessions) {
      spdlog::warn("retention: deleting expired console sessions failed (will try again): {}",
                   sessions.error().message);
    } else if (*sessions > 0) {
      spdlog::info("retention: deleted {} expired console sessions", *sessions);
    }
  } while (Pause(options_.interval));
}

void Retention::Stop() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace jobsched::scheduler
