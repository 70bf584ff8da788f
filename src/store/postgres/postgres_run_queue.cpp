#include "store/postgres/postgres_run_queue.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "store/postgres/pg_events.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/run_output.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

// `done` for writes that answer only whether they happened.
std::function<void(core::Result<bool>)> ToVoid(std::function<void(core::Result<void>)> done) {
  return [done = std::move(done)](const core::Result<bool>& written) {
    if (!written) return done(written.error());
    done(core::Ok());
  };
}

}  // namespace

namespace {

// A run handed back to the queue, or ended there when someone asked to cancel it.
StoreChange RequeuedEvent(core::RunId run_id, core::JobId job_id, std::string state) {
  const auto action = state == "queued" ? StoreChange::Action::kQueued : StoreChange::Action::kFinished;
  return StoreChange::Run(action, run_id, job_id, std::move(state));
}

// The events of the runs a statement returned as (id, job_id, state).
std::vector<StoreChange> RequeuedEvents(const PgResult& rows) {
  std::vector<StoreChange> events;
  events.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    events.push_back(RequeuedEvent(rows.Int(row, 0), rows.Int(row, 1), std::string(rows.Text(row, 2))));
  }
  return events;
}

}  // namespace

PostgresRunQueue::PostgresRunQueue(std::shared_ptr<PgDatabase> database)
    : database_(std::move(database)), finishes_(database_->outcome_writer(), database_->raised_alerts()) {}

void PostgresRunQueue::ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now,
                                 core::TimePoint lease_until,
                                 std::function<void(core::Result<std::vector<ClaimedRun>>)> done) {
  // On a writer of its own: a claim need not wait for a firing's commit (see PgDatabase).
  database_->claim_writer().Submit<std::vector<ClaimedRun>>(
      [owner, limit, now, lease_until](PgConnection& db) -> core::Result<std::vector<ClaimedRun>> {
        // Pick, lease and read in one statement, so a crash between them
        // cannot leave a run marked running with no lease. MATERIALIZED:
        // the locked pick happens once, before the update, whatever the
        // planner would like to inline. SKIP LOCKED: runs another node is
        // claiming right now are its own; take the next ones.
        static const std::string kClaim =
            "WITH picked AS MATERIALIZED ("
            " SELECT r.id FROM runs r JOIN jobs j ON j.id = r.job_id"
            " WHERE r.state = 'queued' AND (r.available_at IS NULL OR r.available_at <= $3)"
            // overlap queue, and backfill runs of overlap skip: one at a
            // time, oldest first. A queued older run of the job that another
            // claimer holds locked still counts, so the next one waits for it.
            " AND (j.overlap = 'allow' OR (j.overlap = 'skip' AND r.trigger <> 'backfill')"
            " OR NOT EXISTS (SELECT 1 FROM runs p WHERE p.job_id = r.job_id"
            " AND p.state IN ('queued', 'running') AND (p.state = 'running' OR p.id < r.id)))"
            // OF r: lock the runs only; the jobs' rows are for firing and edits.
            " ORDER BY r.id LIMIT $4 FOR UPDATE OF r SKIP LOCKED) "
            "UPDATE runs SET state = 'running', lease_owner = $1, lease_expires_at = $2, started_at = $3 "
            "FROM picked, jobs WHERE runs.id = picked.id AND jobs.id = runs.job_id "
            "RETURNING " +
            std::string(kRunColumns) + ", " + std::string(kJobColumns);
        auto claimed_rows = db.Query(
            kClaim,
            PgParams().Add(owner).Add(ToUnixMs(lease_until)).Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
        if (!claimed_rows) return claimed_rows.error();
        std::vector<ClaimedRun> claimed;
        claimed.reserve(static_cast<std::size_t>(claimed_rows->rows()));
        std::vector<StoreChange> events;
        for (int row = 0; row < claimed_rows->rows(); ++row) {
          auto run = RunFromRow(*claimed_rows, row);
          if (!run) return run.error();
          auto job = JobFromRow(*claimed_rows, row, kRunColumnCount);
          if (!job) return job.error();
          events.push_back(StoreChange::Run(StoreChange::Action::kStarted, run->id, job->id, "running"));
          claimed.push_back(ClaimedRun{std::move(run).value(), job->name, job->task, job->timeout, job->retry});
        }
        if (auto notified = NotifyEvents(db, events); !notified) return notified.error();
        // RETURNING keeps no order: hand them out oldest first.
        std::sort(claimed.begin(), claimed.end(),
                  [](const ClaimedRun& a, const ClaimedRun& b) { return a.run.id < b.run.id; });
        return claimed;
      },
      std::move(done));
}

void PostgresRunQueue::FinishRun(const std::string& owner, RunCompletion completion,
                                 std::function<void(core::Result<void>)> done) {
  finishes_.Finish(owner, std::move(completion), std::move(done));
}

void PostgresRunQueue::RetryRun(const std::string& owner, RunCompletion failed_attempt, core::TimePoint available_at,
                                std::function<void(core::Result<void>)> done) {
  database_->outcome_writer().Submit<bool>(
      [owner, failed_attempt = std::move(failed_attempt),
       available_at](PgConnection& db) mutable -> core::Result<bool> {
        // One statement: the run is locked (and fenced by its owner) once,
        // then the failed attempt joins its history and the run moves on: to
        // the next attempt, or, when someone asked to cancel it, to its end.
        auto updated = db.Query(
            "WITH held AS MATERIALIZED ("
            " SELECT id, attempt, started_at FROM runs WHERE id = $4 AND state = 'running' AND lease_owner = $5"
            " FOR NO KEY UPDATE), "
            "recorded AS ("
            " INSERT INTO run_attempts (run_id, attempt, state, started_at, finished_at, error)"
            " SELECT id, attempt, $7::text, started_at, $6::bigint, $3::text FROM held ON CONFLICT DO NOTHING) "
            "UPDATE runs SET available_at = $1, output = $2, lease_owner = NULL, lease_expires_at = NULL, "
            "state = CASE WHEN cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "attempt = CASE WHEN cancel_requested_at IS NULL THEN runs.attempt + 1 ELSE runs.attempt END, "
            "error = CASE WHEN cancel_requested_at IS NULL THEN $3 ELSE 'cancelled by request; ' || $3 END, "
            "finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE $6 END, "
            "duration_ms = CASE WHEN cancel_requested_at IS NULL THEN NULL "
            "ELSE $6 - coalesce(runs.started_at, $6) END, "
            "started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE runs.started_at END "
            "FROM held WHERE runs.id = held.id RETURNING runs.job_id, runs.state",
            PgParams()
                .Add(ToUnixMs(available_at))
                .Add(CapRunOutput(failed_attempt.output))
                .Add(CapRunOutput(failed_attempt.error))
                .Add(failed_attempt.run_id)
                .Add(owner)
                .Add(ToUnixMs(failed_attempt.finished_at))
                .Add(core::ToString(failed_attempt.state)));
        if (!updated) return updated.error();
        if (updated->rows() != 1) return LostRunError(failed_attempt.run_id);
        if (auto notified = NotifyEvents(
                db, {RequeuedEvent(failed_attempt.run_id, updated->Int(0, 0), std::string(updated->Text(0, 1)))});
            !notified) {
          return notified.error();
        }
        return true;
      },
      ToVoid(std::move(done)));
}

void PostgresRunQueue::RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                                   std::function<void(core::Result<std::vector<core::RunId>>)> done) {
  database_->outcome_writer().Submit<std::vector<core::RunId>>(
      [owner, lease_until, held = std::move(held)](PgConnection& db) -> core::Result<std::vector<core::RunId>> {
        auto heartbeat = db.Query(
            "INSERT INTO nodes (id, alive_until) VALUES ($1, $2) "
            "ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until",
            PgParams().Add(owner).Add(ToUnixMs(lease_until)));
        if (!heartbeat) return heartbeat.error();
        if (held.empty()) return std::vector<core::RunId>{};  // an idle node: no statement for its runs
        // Only the runs the executor still holds: the others' leases run
        // out and RequeueAbandonedRuns re-queues them (see run_queue.hpp).
        // Locked in id order, as FinishRun and RequeueAbandonedRuns lock (see PgFinishBatcher).
        const std::vector<std::optional<std::int64_t>> ids(held.begin(), held.end());
        auto updated = db.Query(
            "WITH mine AS MATERIALIZED (SELECT id FROM runs"
            " WHERE id = ANY ($3::bigint[]) AND state = 'running' AND lease_owner = $2 ORDER BY id FOR NO KEY UPDATE) "
            "UPDATE runs SET lease_expires_at = $1 FROM mine WHERE runs.id = mine.id "
            "RETURNING runs.id, runs.cancel_requested_at IS NOT NULL",
            PgParams().Add(ToUnixMs(lease_until)).Add(owner).AddArray(ids));
        if (!updated) return updated.error();
        std::vector<core::RunId> cancel_requested;
        for (int row = 0; row < updated->rows(); ++row) {
          if (updated->Bool(row, 1)) cancel_requested.push_back(updated->Int(row, 0));
        }
        return cancel_requested;
      },
      std::move(done));
}

void PostgresRunQueue::RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                                            std::function<void(core::Result<std::size_t>)> done) {
  database_->writer().Submit<std::size_t>(
      [now, live_owner, all_other_owners](PgConnection& db) -> core::Result<std::size_t> {
        auto forget = db.Query("DELETE FROM nodes WHERE alive_until < $1",
                               PgParams().Add(ToUnixMs(now - kForgetSilentNodesAfter)));
        if (!forget) return forget.error();
        // One statement: the abandoned runs are locked first, so two nodes
        // re-queueing at once cannot both bump a run's attempt (the second
        // waits for the first's lock, then re-checks the row as the first
        // left it: no longer running), and a run whose owner finishes it
        // meanwhile is not recorded as abandoned. The lost attempt joins the
        // run's history (a cancelled run simply ends).
        auto updated = db.Query(
            "WITH lost AS MATERIALIZED ("
            " SELECT id, attempt, started_at, lease_owner, cancel_requested_at FROM runs"
            " WHERE state = 'running' AND (lease_expires_at < $1 OR ($2::boolean AND lease_owner IS DISTINCT FROM $3))"
            // In id order, as every statement that locks several running runs (see PgFinishBatcher).
            " ORDER BY id FOR NO KEY UPDATE), "
            "recorded AS ("
            " INSERT INTO run_attempts (run_id, attempt, state, started_at, finished_at, error)"
            " SELECT id, attempt, 'failed', started_at, $1,"
            " 'abandoned: its executor (' || coalesce(lease_owner, '?') || ') stopped before it finished'"
            " FROM lost WHERE cancel_requested_at IS NULL ON CONFLICT DO NOTHING) "
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, "
            "state = CASE WHEN runs.cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "attempt = CASE WHEN runs.cancel_requested_at IS NULL THEN runs.attempt + 1 ELSE runs.attempt END, "
            "finished_at = CASE WHEN runs.cancel_requested_at IS NULL THEN NULL ELSE $1 END, "
            "error = CASE WHEN runs.cancel_requested_at IS NULL THEN runs.error "
            "ELSE 'cancelled by request (its executor stopped before it could)' END, "
            "started_at = CASE WHEN runs.cancel_requested_at IS NULL THEN NULL ELSE runs.started_at END "
            "FROM lost WHERE runs.id = lost.id RETURNING runs.id, runs.job_id, runs.state",
            PgParams().Add(ToUnixMs(now)).Add(all_other_owners).Add(live_owner));
        if (!updated) return updated.error();
        // Back in the queue: any node may claim them now (see PgListener).
        if (updated->rows() > 0) {
          if (auto notified = Notify(db, kRunsChannel); !notified) return notified.error();
          if (auto notified = NotifyEvents(db, RequeuedEvents(*updated)); !notified) return notified.error();
        }
        return static_cast<std::size_t>(updated->rows());
      },
      std::move(done));
}

void PostgresRunQueue::ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                                   std::function<void(core::Result<void>)> done) {
  database_->outcome_writer().Submit<bool>(
      [owner, run_ids = std::move(run_ids), now](PgConnection& db) -> core::Result<bool> {
        const std::vector<std::optional<std::int64_t>> ids(run_ids.begin(), run_ids.end());
        // Runs someone asked to cancel end as cancelled instead.
        // Locked in id order, as FinishRun and RequeueAbandonedRuns lock (see PgFinishBatcher).
        auto updated = db.Query(
            "WITH mine AS MATERIALIZED (SELECT id FROM runs"
            " WHERE id = ANY ($1::bigint[]) AND state = 'running' AND lease_owner = $2 ORDER BY id FOR NO KEY UPDATE) "
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, "
            "state = CASE WHEN cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE $3::bigint END, "
            "error = CASE WHEN cancel_requested_at IS NULL THEN error ELSE 'cancelled by request' END, "
            "started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE started_at END "
            "FROM mine WHERE runs.id = mine.id RETURNING runs.id, runs.job_id, runs.state",
            PgParams().AddArray(ids).Add(owner).Add(ToUnixMs(now)));
        if (!updated) return updated.error();
        // A node shutting down hands its runs to the others at once.
        if (updated->rows() > 0) {
          if (auto notified = Notify(db, kRunsChannel); !notified) return notified.error();
          if (auto notified = NotifyEvents(db, RequeuedEvents(*updated)); !notified) return notified.error();
        }
        return true;
      },
      ToVoid(std::move(done)));
}

core::Result<std::size_t> PostgresRunQueue::LiveNodeCount(core::TimePoint now) {
  return database_->readers().Read<std::size_t>([now](PgConnection& db) -> core::Result<std::size_t> {
    auto counted = db.Query("SELECT count(*) FROM nodes WHERE alive_until >= $1", PgParams().Add(ToUnixMs(now)));
    if (!counted) return counted.error();
    return static_cast<std::size_t>(counted->Int(0, 0));
  });
}

core::Result<std::size_t> PostgresRunQueue::QueuedRunCount() {
  return database_->readers().Read<std::size_t>([](PgConnection& db) -> core::Result<std::size_t> {
    auto counted = db.Query("SELECT count(*) FROM runs WHERE state = 'queued'");
    if (!counted) return counted.error();
    return static_cast<std::size_t>(counted->Int(0, 0));
  });
}

}  // namespace jobsched::store::postgres
