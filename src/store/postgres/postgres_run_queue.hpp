#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/pg_finish_batcher.hpp"
#include "store/run_queue.hpp"

namespace jobsched::store::postgres {

// The run queue in PostgreSQL, shared by every node of a cluster. A claim is
// one statement that locks queued runs with FOR UPDATE SKIP LOCKED, so
// concurrent claimers (threads or nodes) never wait for each other and never
// get the same run. Claims go through the database's main writer, what
// happens to held runs through its outcome writer (finishes in bulk, see
// PgFinishBatcher); every write answers after its commit. See
// docs/decisions/0003-postgres-store.md.
class PostgresRunQueue final : public RunQueue {
 public:
  explicit PostgresRunQueue(std::shared_ptr<PgDatabase> database);

  // The executor's path: claims through the writer, finishes and retries
  // batched by finishes_.
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

 private:
  std::shared_ptr<PgDatabase> database_;
  PgFinishBatcher finishes_;
};

}  // namespace jobsched::store::postgres
