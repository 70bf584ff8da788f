#include "store/postgres/postgres_run_queue.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "store/postgres/pg_rows.hpp"
#include "store/run_output.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

core::Error LostRun(core::RunId id) {
  return core::Error::Conflict("run " + std::to_string(id) + " is no longer held by this node (its lease expired)");
}

// `done` for writes that answer only whether they happened.
std::function<void(core::Result<bool>)> ToVoid(std::function<void(core::Result<void>)> done) {
  return [done = std::move(done)](core::Result<bool> written) {
    if (!written) return done(written.error());
    done(core::Ok());
  };
}

}  // namespace

PostgresRunQueue::PostgresRunQueue(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

void PostgresRunQueue::ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now,
                                 core::TimePoint lease_until,
                                 std::function<void(core::Result<std::vector<ClaimedRun>>)> done) {
  database_->writer().Submit<std::vector<ClaimedRun>>(
      [owner, limit, now, lease_until](PgConnection& db) -> core::Result<std::vector<ClaimedRun>> {
        // Pick, lease and read in one statement, so a crash between them
        // cannot leave a run marked running with no lease. MATERIALIZED:
        // the locked pick happens once, before the update, whatever the
        // planner would like to inline. SKIP LOCKED: runs another node is
        // claiming right now are its own; take the next ones.
        static const std::string kClaim =
            "WITH picked AS MATERIALIZED ("
            " SELECT id FROM runs WHERE state = 'queued' AND (available_at IS NULL OR available_at <= $3)"
            " ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
            "UPDATE runs SET state = 'running', lease_owner = $1, lease_expires_at = $2, started_at = $3 "
            "FROM picked, jobs WHERE runs.id = picked.id AND jobs.id = runs.job_id "
            "RETURNING " + std::string(kRunColumns) + ", " + std::string(kJobColumns);
        auto claimed_rows = db.Query(kClaim, PgParams()
                                                 .Add(owner)
                                                 .Add(ToUnixMs(lease_until))
                                                 .Add(ToUnixMs(now))
                                                 .Add(static_cast<std::int64_t>(limit)));
        if (!claimed_rows) return claimed_rows.error();
        std::vector<ClaimedRun> claimed;
        claimed.reserve(static_cast<std::size_t>(claimed_rows->rows()));
        for (int row = 0; row < claimed_rows->rows(); ++row) {
          auto run = RunFromRow(*claimed_rows, row);
          if (!run) return run.error();
          auto job = JobFromRow(*claimed_rows, row, kRunColumnCount);
          if (!job) return job.error();
          claimed.push_back(ClaimedRun{std::move(run).value(), job->name, job->task, job->timeout, job->retry});
        }
        // RETURNING keeps no order: hand them out oldest first.
        std::sort(claimed.begin(), claimed.end(),
                  [](const ClaimedRun& a, const ClaimedRun& b) { return a.run.id < b.run.id; });
        return claimed;
      },
      std::move(done));
}

void PostgresRunQueue::FinishRun(const std::string& owner, RunCompletion completion,
                                 std::function<void(core::Result<void>)> done) {
  database_->writer().Submit<bool>(
      [owner, completion = std::move(completion)](PgConnection& db) mutable -> core::Result<bool> {
        // Fenced by the lease owner: a node whose lease expired (and whose run
        // was re-queued, perhaps re-run) cannot overwrite the newer outcome.
        auto updated = db.Query(
            "UPDATE runs SET state = $1, finished_at = $2, duration_ms = $2 - coalesce(started_at, $2), "
            "output = $3, error = $4, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = $5 AND state = 'running' AND lease_owner = $6",
            PgParams()
                .Add(core::ToString(completion.state))
                .Add(ToUnixMs(completion.finished_at))
                .Add(CapRunOutput(std::move(completion.output)))
                .Add(CapRunOutput(std::move(completion.error)))
                .Add(completion.run_id)
                .Add(owner));
        if (!updated) return updated.error();
        if (updated->affected() != 1) return LostRun(completion.run_id);
        return true;
      },
      ToVoid(std::move(done)));
}

void PostgresRunQueue::RetryRun(const std::string& owner, RunCompletion failed_attempt, core::TimePoint available_at,
                                std::function<void(core::Result<void>)> done) {
  database_->writer().Submit<bool>(
      [owner, failed_attempt = std::move(failed_attempt), available_at](PgConnection& db) mutable
      -> core::Result<bool> {
        auto updated = db.Query(
            "UPDATE runs SET state = 'queued', attempt = attempt + 1, available_at = $1, output = $2, error = $3, "
            "started_at = NULL, finished_at = NULL, duration_ms = NULL, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = $4 AND state = 'running' AND lease_owner = $5",
            PgParams()
                .Add(ToUnixMs(available_at))
                .Add(CapRunOutput(std::move(failed_attempt.output)))
                .Add(CapRunOutput(std::move(failed_attempt.error)))
                .Add(failed_attempt.run_id)
                .Add(owner));
        if (!updated) return updated.error();
        if (updated->affected() != 1) return LostRun(failed_attempt.run_id);
        return true;
      },
      ToVoid(std::move(done)));
}

void PostgresRunQueue::RenewLeases(const std::string& owner, core::TimePoint lease_until,
                                   std::function<void(core::Result<void>)> done) {
  database_->writer().Submit<bool>(
      [owner, lease_until](PgConnection& db) -> core::Result<bool> {
        auto updated = db.Query("UPDATE runs SET lease_expires_at = $1 WHERE state = 'running' AND lease_owner = $2",
                                PgParams().Add(ToUnixMs(lease_until)).Add(owner));
        if (!updated) return updated.error();
        return true;
      },
      ToVoid(std::move(done)));
}

void PostgresRunQueue::RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner,
                                            bool all_other_owners,
                                            std::function<void(core::Result<std::size_t>)> done) {
  database_->writer().Submit<std::size_t>(
      [now, live_owner, all_other_owners](PgConnection& db) -> core::Result<std::size_t> {
        // Two nodes re-queueing at once cannot both bump a run's attempt: the
        // second waits for the first's row lock, then re-checks the WHERE
        // against the row as the first left it (no longer running).
        auto updated = db.Query(
            "UPDATE runs SET state = 'queued', attempt = attempt + 1, lease_owner = NULL, "
            "lease_expires_at = NULL, started_at = NULL "
            "WHERE state = 'running' AND (lease_expires_at < $1 OR ($2::boolean AND lease_owner IS DISTINCT FROM $3))",
            PgParams().Add(ToUnixMs(now)).Add(all_other_owners).Add(live_owner));
        if (!updated) return updated.error();
        return static_cast<std::size_t>(updated->affected());
      },
      std::move(done));
}

void PostgresRunQueue::ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids,
                                   std::function<void(core::Result<void>)> done) {
  database_->writer().Submit<bool>(
      [owner, run_ids = std::move(run_ids)](PgConnection& db) -> core::Result<bool> {
        const std::vector<std::optional<std::int64_t>> ids(run_ids.begin(), run_ids.end());
        auto updated = db.Query(
            "UPDATE runs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL "
            "WHERE id = ANY ($1::bigint[]) AND state = 'running' AND lease_owner = $2",
            PgParams().AddArray(ids).Add(owner));
        if (!updated) return updated.error();
        return true;
      },
      ToVoid(std::move(done)));
}

core::Result<std::size_t> PostgresRunQueue::QueuedRunCount() {
  return database_->readers().Read<std::size_t>([](PgConnection& db) -> core::Result<std::size_t> {
    auto counted = db.Query("SELECT count(*) FROM runs WHERE state = 'queued'");
    if (!counted) return counted.error();
    return static_cast<std::size_t>(counted->Int(0, 0));
  });
}

}  // namespace jobsched::store::postgres
