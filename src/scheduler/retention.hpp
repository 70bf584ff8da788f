#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/audit_log.hpp"
#include "store/job_store.hpp"
#include "store/session_store.hpp"

namespace jobsched::scheduler {

struct RetentionOptions {
  // Finished runs older than this are deleted; 0 keeps them forever.
  std::chrono::hours keep_for{30 * 24};
  // At most this many finished runs are kept per job, the newest; 0 for no limit.
  std::size_t keep_per_job = 1000;
  // GET /stats's roll-ups (run_stats, run_lateness) of buckets older than
  // this are deleted: the longest window is 7 days. Runs deleted before
  // stay counted in them until then. 0 keeps them forever.
  std::chrono::hours rollups_for{8 * 24};
  // Audit log entries older than this are deleted (--keep-audit-days); 0
  // keeps them forever.
  std::chrono::hours audit_for{90 * 24};
  // How often a pass runs.
  std::chrono::milliseconds interval{60'000};
  // Runs deleted per store transaction, and the pause between two: small
  // batches keep the writer free for the scheduler and the API.
  std::size_t batch_rows = 500;
  std::size_t batch_jobs = 200;
  std::chrono::milliseconds pause{20};
};

// Prunes run history in the background (--keep-runs-days,
// --keep-runs-per-job), in small batches that never stall the scheduler;
// the roll-ups of GET /stats past their 8 days; with a session store, the
// console sessions past their idle expiry; with an audit log, its entries
// past --keep-audit-days.
class Retention {
 public:
  // `store`, `clock`, `sessions` (null: no sessions to prune) and `audit`
  // (null: no audit log to prune) must outlive it.
  Retention(store::JobStore& store, const core::Clock& clock, RetentionOptions options,
            store::SessionStore* sessions = nullptr, store::AuditLog* audit = nullptr);
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;
  ~Retention();

  // One full pass, now: every finished run past either limit is deleted.
  // Returns how many. What the loop calls; tests call it with a fake clock.
  core::Result<std::size_t> PruneOnce();

  // Deletes every session whose idle expiry has passed, in batches of
  // `batch_rows`; returns how many. Also run by the loop, every interval.
  core::Result<std::size_t> PruneSessionsOnce();

  // Deletes the roll-up rows of buckets older than `rollups_for`, in batches
  // of `batch_rows`; returns how many. Also run by the loop, every interval.
  core::Result<std::size_t> PruneRollupsOnce();

  // Deletes the audit entries older than `audit_for`, in batches of
  // `batch_rows`; returns how many. Also run by the loop, every interval.
  core::Result<std::size_t> PruneAuditOnce();

  void Start();
  void Stop() EXCLUDES(mutex_);

 private:
  void Loop();
  // Waits `pause` unless stopping; false when stopping.
  bool Pause(std::chrono::milliseconds pause) EXCLUDES(mutex_);

  store::JobStore& store_;
  const core::Clock& clock_;
  store::SessionStore* const sessions_;
  store::AuditLog* const audit_;
  const RetentionOptions options_;
  core::Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace jobsched::scheduler
