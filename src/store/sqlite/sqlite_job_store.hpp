#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/alert_store.hpp"
#include "store/api_key_store.hpp"
#include "store/audit_log.hpp"
#include "store/change_feed.hpp"
#include "store/job_cache.hpp"
#include "store/job_store.hpp"
#include "store/node_store.hpp"
#include "store/run_queue.hpp"
#include "store/session_store.hpp"
#include "store/sqlite/sqlite_checkpointer.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_reader_pool.hpp"
#include "store/sqlite/sqlite_wal.hpp"
#include "store/sqlite/sqlite_writer.hpp"
#include "store/store_limits.hpp"

namespace jobsched::store::sqlite {

struct SqliteOptions {
  std::string path;              // database file, created if missing
  std::size_t max_batch = 1024;  // writes per group-commit transaction
  StoreLimits limits = {};       // the operator's quotas; none by default
  // Commit pacing under sustained load (SqliteWriterOptions, CommitPacer).
  std::chrono::microseconds commit_spacing{12'000};
  int commit_burst = 4;
  // When the writer resets the WAL (WalPolicy), and how often the
  // checkpointer copies it back (PASSIVE).
  WalLimits wal = {};
  std::chrono::milliseconds checkpoint_interval{200};
  // The scheduler's clock, or null. With it, FireDueJobs fires what is due
  // when its write runs (paced commits hold it up to commit_spacing), not
  // only what was due when it was submitted: a job that came due meanwhile
  // goes in the same commit instead of waiting for the next one. Must
  // outlive the store.
  const core::Clock* clock = nullptr;
};

// The embedded store: one SQLite file in WAL mode. Writes go through one
// writer thread with group commit; reads run in parallel, each on a
// connection taken from a pool (one per concurrently reading thread).
// API keys and console sessions live in the same file.
class SqliteJobStore final : public JobStore,
                             public RunQueue,
                             public ApiKeyStore,
                             public SessionStore,
                             public NodeStore,
                             public AuditLog,
                             public AlertStore {
 public:
  // Opens the database, applying pending migrations first. Fails with
  // kUnavailable when the file cannot be opened or written.
  static core::Result<std::unique_ptr<SqliteJobStore>> Open(const SqliteOptions& options);

  // Applies pending migrations to the database at `path` and returns the
  // schema version it is at afterwards.
  static core::Result<int> Migrate(const std::string& path);

  void CreateJob(core::Job job, JobCallback done, Audit audit = std::nullopt) override;
  void UpdateJob(core::JobId id, JobChange change, JobCallback done, Audit audit = std::nullopt) override;
  void DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                 std::function<void(core::Result<void>)> done, Audit audit = std::nullopt) override;
  void TriggerJob(core::JobId id, core::TimePoint now, RunDone done, Audit audit = std::nullopt) override;
  void BackfillJob(core::JobId id, core::TimePoint now, BackfillPlanner planner, BackfillDone done,
                   Audit audit = std::nullopt) override;
  core::Result<core::Job> GetJob(core::JobId id) override;
  core::Result<std::shared_ptr<const JobSnapshot>> GetJobSnapshot(core::JobId id) override;  // from cache_
  core::Result<std::vector<core::Job>> ListJobs(const JobListQuery& query) override;         // sqlite_job_list.cpp
  core::Result<std::vector<std::shared_ptr<const JobSnapshot>>> ListJobSnapshots(const JobListQuery& query) override;
  core::Result<std::map<core::JobId, std::vector<core::RunState>>> RecentRunStates(const std::vector<core::JobId>& jobs,
                                                                                   std::size_t count) override;
  core::Result<StoreStats> Stats(const StatsQuery& query) override;  // sqlite_stats.cpp
  core::Result<void> Ping() override;
  core::Result<std::optional<core::TimePoint>> NextDueTime() override;
  void FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner, FireDone done) override;
  void ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done,
                        Audit audit = std::nullopt) override;  // sqlite_pause.cpp
  void CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now, RunDone done) override;
  void PruneRunRollupsBefore(core::TimePoint before, std::size_t limit, PrunedDone done) override;
  void PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit, PrunedDone done) override;
  void PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit, std::size_t limit,
                       PruneBeyondDone done) override;
  core::Result<core::Run> GetRun(core::RunId id) override;
  core::Result<std::vector<core::RunAttempt>> ListRunAttempts(core::RunId id) override;
  core::Result<std::vector<core::Run>> ListRuns(const RunListQuery& query) override;
  // Bulk changes (sqlite_bulk.cpp)
  void ChangeJobs(std::vector<core::JobId> ids, JobAction action, core::TimePoint now,
                  std::optional<std::string> only_namespace, BulkDone done, Audit audit = std::nullopt) override;
  void CancelRuns(std::vector<core::RunId> ids, core::TimePoint now, std::optional<std::string> only_namespace,
                  BulkDone done) override;

  // RunQueue (sqlite_run_queue.cpp). The executor's path: claim, then finish
  // or retry, each a write of the writer thread.
  void ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                 ClaimDone done) override;
  void FinishRun(const std::string& owner, RunCompletion completion, WriteDone done) override;
  void RetryRun(const std::string& owner, RunCompletion failed_attempt, core::TimePoint available_at,
                WriteDone done) override;
  // The node's upkeep: its heartbeat, other nodes' orphans, its shutdown.
  void RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                   RenewDone done) override;
  void RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                            CountDone done) override;
  void ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                   WriteDone done) override;
  core::Result<std::size_t> QueuedRunCount() override;
  core::Result<std::size_t> LiveNodeCount(core::TimePoint now) override;

  // The changes this store commits, published after each commit from the
  // writer thread: jobs scheduled (create, update) and runs queued (fired,
  // triggered, re-queued, handed back), as PostgreSQL notifies them.
  ChangeFeed& changes() { return changes_; }
  // What the WAL went through since the store opened (any thread).
  WalStats Wal() const { return wal_->Snapshot(); }

  // ApiKeyStore (sqlite_api_keys.cpp)
  void CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done,
                    Audit audit = std::nullopt) override;
  void RevokeApiKey(std::string name, core::TimePoint now, std::function<void(core::Result<core::ApiKey>)> done,
                    Audit audit = std::nullopt) override;
  core::Result<std::vector<core::ApiKey>> ListApiKeys() override;
  core::Result<std::vector<core::ApiKey>> ActiveApiKeys() override;
  core::Result<bool> AuthenticationRequired() override;
  void DisableAuthentication(std::function<void(core::Result<bool>)> done) override;

  // SessionStore (sqlite_sessions.cpp)
  void CreateSession(StoredSession session, std::function<void(core::Result<void>)> done) override;
  core::Result<std::optional<StoredSession>> FindSession(const std::string& id_hash) override;
  void TouchSession(std::string id_hash, core::TimePoint last_seen_at, core::TimePoint expires_at,
                    std::function<void(core::Result<bool>)> done) override;
  void DeleteSession(std::string id_hash, std::function<void(core::Result<bool>)> done) override;
  void DeleteExpiredSessions(core::TimePoint now, std::size_t limit,
                             std::function<void(core::Result<std::size_t>)> done) override;

  // AuditLog (sqlite_audit.cpp)
  core::Result<std::vector<core::AuditEntry>> ListAudit(const AuditQuery& query) override;
  void PruneAuditBefore(core::TimePoint before, std::size_t limit,
                        std::function<void(core::Result<std::size_t>)> done) override;

  // NodeStore (sqlite_nodes.cpp)
  core::Result<std::vector<NodeStatus>> ListNodes() override;

  // AlertStore (sqlite_alerts.cpp)
  void ClaimAlerts(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                   AlertsClaimed done) override;
  void RecordAlertAttempt(const std::string& owner, AlertAttempt attempt, AlertWritten done) override;
  void CheckAlerts(core::TimePoint now, std::size_t limit, CheckDone done) override;
  core::Result<std::optional<core::AlertRule>> GetNamespaceAlertRule(const std::string& job_namespace) override;
  void SetNamespaceAlertRule(std::string job_namespace, std::optional<core::AlertRule> rule, core::TimePoint now,
                             std::function<void(core::Result<bool>)> done) override;
  core::Result<std::optional<core::TimePoint>> NextAlertDue() override;
  core::Result<std::vector<Alert>> ListAlerts(const AlertListQuery& query) override;
  void SetRaisedObserver(RaisedObserver observer) override;

 private:
  SqliteJobStore(std::string path, const core::Clock* clock, std::unique_ptr<WalState> wal,
                 std::unique_ptr<SqliteWriter> writer, std::unique_ptr<SqliteCheckpointer> checkpointer);

  // Whether a paused job's paused_until is at or before `now` (sqlite_pause.cpp).
  core::Result<bool> AnyPauseEnded(core::TimePoint now);
  // Publish on changes_ what a committed write did.
  void PublishScheduled(const core::Job& job);
  void PublishRunsQueued();
  void Publish(const std::vector<StoreChange>& changes);
  // The quotas of StoreLimits (sqlite_limits.cpp); writer thread only.
  // Counts the job about to be created in `job_namespace`, or refuses it.
  core::Result<void> TakeNamespaceRoom(SqliteConnection& db, const std::string& job_namespace);
  // One job fewer in `job_namespace`: a create TakeNamespaceRoom counted was
  // refused, or a delete was written. Counting afresh would walk the
  // namespace's jobs on the writer thread, once per refused create.
  void GiveBackNamespaceRoom(const std::string& job_namespace);
  // The outcome is unknown (a commit failed): the namespace is counted afresh
  // next time.
  void ForgetNamespaceCount(const std::string& job_namespace);
  // Refuses a run of `job_id` past max_runs_per_job_per_minute.
  core::Result<void> CheckRunQuota(SqliteConnection& db, core::JobId job_id, core::TimePoint now) const;
  // Queues a manual run of `job` (TriggerJob's rules: run quota, overlap
  // skip); writer thread only (sqlite_job_store_runs.cpp).
  core::Result<core::Run> QueueManualRun(SqliteConnection& db, const core::Job& job, core::TimePoint now) const;
  // What ChangeJobs does to one job read in its transaction, recording the
  // events to publish after the commit in `events` (sqlite_bulk.cpp).
  struct BulkEffects;
  core::Result<bool> ApplyJobAction(SqliteConnection& db, const core::Job& job, JobAction action, core::TimePoint now,
                                    BulkEffects& effects, const Audit& audit);

  StoreLimits limits_;  // set once by Open
  // Jobs per namespace, counted once and kept up to date by creates; only
  // the writer thread touches it (SQLite mode is one process, so nobody
  // else adds jobs to the file).
  std::unordered_map<std::string, std::size_t> namespace_jobs_;

  // The database file as opened: Ping fails when the path no longer names
  // it (deleted or replaced under us, so writes would go to a lost file).
  const std::string path_;
  const core::Clock* const clock_;  // SqliteOptions::clock
  std::uint64_t file_device_ = 0;
  std::uint64_t file_inode_ = 0;
  SqliteReaderPool readers_;
  // Jobs as read, for GetJob; every write to a job row invalidates it after
  // its commit (JobCache). Only this process writes the file: SQLite mode is
  // one process. Before writer_, whose last callbacks still use it.
  JobCache cache_;
  // Told of the alerts each commit raised. Before writer_, whose callbacks report.
  RaisedAlertRelay raised_alerts_;
  // What this process's other parts hear of committed changes (SQLite mode
  // is one process, so the feed is in memory). Before writer_, whose
  // callbacks publish.
  ChangeFanOut changes_;
  // Shared by the writer and the checkpointer: outlives both.
  std::unique_ptr<WalState> wal_;
  // Destroyed after the writer: its last checkpoint empties the WAL.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
  // Last member: destroyed first, so queued writes finish while the rest lives.
  std::unique_ptr<SqliteWriter> writer_;
};

}  // namespace jobsched::store::sqlite
