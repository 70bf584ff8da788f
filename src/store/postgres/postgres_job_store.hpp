#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "store/audit_log.hpp"
#include "store/job_store.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/store_limits.hpp"

namespace jobsched::store::postgres {

// Jobs in PostgreSQL: the store of cluster mode, where several `jobsched
// serve` processes share one database. Every write of this process goes
// through the database's one writer thread (group commit, in submission
// order); reads use its pool of connections. Several processes may fire the
// same due jobs at once: FireDueJobs locks the rows it fires (FOR UPDATE SKIP
// LOCKED), so each job is fired by one of them, and the unique occurrence
// index makes a second run of an occurrence impossible anyway.
// See docs/decisions/0003-postgres-store.md.
class PostgresJobStore final : public JobStore, public AuditLog {
 public:
  // `limits`: the operator's quotas, enforced in each write's transaction
  // (pg_limits.cpp), across nodes too.
  explicit PostgresJobStore(std::shared_ptr<PgDatabase> database, StoreLimits limits = {});

  void CreateJob(core::Job job, JobCallback done, Audit audit = std::nullopt) override;
  void UpdateJob(core::JobId id, JobChange change, JobCallback done, Audit audit = std::nullopt) override;
  void DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                 std::function<void(core::Result<void>)> done, Audit audit = std::nullopt) override;
  core::Result<core::Job> GetJob(core::JobId id) override;
  core::Result<std::vector<core::Job>> ListJobs(const JobListQuery& query) override;  // postgres_job_list.cpp
  core::Result<std::map<core::JobId, std::vector<core::RunState>>> RecentRunStates(const std::vector<core::JobId>& jobs,
                                                                                   std::size_t count) override;
  core::Result<StoreStats> Stats(const StatsQuery& query) override;  // postgres_stats.cpp
  core::Result<void> Ping() override;

  // The scheduling half (postgres_job_store_runs.cpp).
  core::Result<std::optional<core::TimePoint>> NextDueTime() override;
  void FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner, FireDone done) override;
  void ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done,
                        Audit audit = std::nullopt) override;  // postgres_pause.cpp
  void TriggerJob(core::JobId id, core::TimePoint now, RunDone done, Audit audit = std::nullopt) override;
  void BackfillJob(core::JobId id, core::TimePoint now, BackfillPlanner planner, BackfillDone done,
                   Audit audit = std::nullopt) override;
  void CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now, RunDone done) override;

  // Retention (postgres_retention.cpp).
  void PruneRunRollupsBefore(core::TimePoint before, std::size_t limit, PrunedDone done) override;
  void PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit, PrunedDone done) override;
  void PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit, std::size_t limit,
                       PruneBeyondDone done) override;

  // AuditLog (postgres_audit.cpp)
  core::Result<std::vector<core::AuditEntry>> ListAudit(const AuditQuery& query) override;
  void PruneAuditBefore(core::TimePoint before, std::size_t limit,
                        std::function<void(core::Result<std::size_t>)> done) override;
  core::Result<core::Run> GetRun(core::RunId id) override;
  core::Result<std::vector<core::RunAttempt>> ListRunAttempts(core::RunId id) override;
  core::Result<std::vector<core::Run>> ListRuns(const RunListQuery& query) override;
  // Bulk changes (postgres_bulk.cpp)
  void ChangeJobs(std::vector<core::JobId> ids, JobAction action, core::TimePoint now,
                  std::optional<std::string> only_namespace, BulkDone done, Audit audit = std::nullopt) override;
  void CancelRuns(std::vector<core::RunId> ids, core::TimePoint now, std::optional<std::string> only_namespace,
                  BulkDone done) override;

 private:
  std::shared_ptr<PgDatabase> database_;
  const StoreLimits limits_;
};

}  // namespace jobsched::store::postgres
