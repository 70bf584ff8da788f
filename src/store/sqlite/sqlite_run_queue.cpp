// The run queue half of SqliteJobStore (RunQueue): claiming runs with a
// lease, their outcomes, retries, lease renewals and hand-backs, as
// postgres_run_queue.cpp is PostgreSQL's. Every change to a run is published
// on the change feed after its commit.
#include <memory>
#include <string>
#include <vector>

#include "store/run_output.hpp"
#include "store/sqlite/sqlite_alerts.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

// Steps `statement`, an UPDATE ... RETURNING id, job_id, state, to its end,
// adding an event per run it changed to `events`. Returns how many it changed.
core::Result<std::size_t> CollectRunEvents(Statement& statement, std::vector<StoreChange>& events) {
  std::size_t changed = 0;
  for (;;) {
    auto row = statement.Step();
    if (!row) return row.error();
    if (!*row) return changed;
    ++changed;
    std::string state = statement.ColumnText(2);
    const StoreChange::Action action = state == "queued"    ? StoreChange::Action::kQueued
                                       : state == "running" ? StoreChange::Action::kUpdated
                                                            : StoreChange::Action::kFinished;
    events.push_back(StoreChange::Run(action, statement.ColumnInt(0), statement.ColumnInt(1), std::move(state)));
  }
}

}  // namespace

namespace {

// Marks up to `limit` runs that may start now as running, leased to `owner`,
// in one statement, so a crash between the two cannot leave a run marked
// running with no lease; their ids.
core::Result<std::vector<core::RunId>> ClaimRunIds(SqliteConnection& db, const std::string& owner, std::size_t limit,
                                                   core::TimePoint now, core::TimePoint lease_until) {
  static const std::string kClaim =
      "UPDATE runs SET state = 'running', lease_owner = ?1, lease_expires_at = ?2, started_at = ?3 "
      "WHERE id IN (SELECT r.id FROM runs r JOIN jobs j ON j.id = r.job_id "
      "WHERE r.state = 'queued' AND (r.available_at IS NULL OR r.available_at <= ?3) "
      // overlap queue, and backfill runs of overlap skip: one at a time, oldest first.
      "AND (j.overlap = 'allow' OR (j.overlap = 'skip' AND r.trigger <> 'backfill') "
      "OR NOT EXISTS (SELECT 1 FROM runs p INDEXED BY runs_unfinished_by_job "
      "WHERE p.job_id = r.job_id "
      "AND (p.state = 'queued' OR p.state = 'running') AND (p.state = 'running' OR p.id < r.id))) "
      "ORDER BY r.id LIMIT ?4) RETURNING id";
  auto claim = db.Cached(kClaim);
  if (!claim) return claim.error();
  (*claim)
      ->Bind(1, owner)
      .Bind(2, ToUnixMs(lease_until))
      .Bind(3, ToUnixMs(now))
      .Bind(4, static_cast<std::int64_t>(limit));
  std::vector<core::RunId> ids;
  for (;;) {
    auto row = (*claim)->Step();
    if (!row) return row.error();
    if (!*row) break;
    ids.push_back((*claim)->ColumnInt(0));
  }
  (*claim)->Reset();
  return ids;
}

// The claimed runs with what the executor needs of their jobs; a "started"
// event for each goes to `events`.
core::Result<std::vector<ClaimedRun>> LoadClaimed(SqliteConnection& db, const std::vector<core::RunId>& ids,
                                                  std::vector<StoreChange>& events) {
  static const std::string kLoad = "SELECT " + std::string(kRunColumns) + ", " + std::string(kJobColumns) +
                                   " FROM runs JOIN jobs ON jobs.id = runs.job_id WHERE runs.id = ?";
  auto load = db.Cached(kLoad);
  if (!load) return load.error();
  std::vector<ClaimedRun> claimed;
  claimed.reserve(ids.size());
  for (const core::RunId id : ids) {
    (*load)->Reset().Bind(1, id);
    auto row = (*load)->Step();
    if (!row) return row.error();
    if (!*row) continue;  // its job was deleted in between: nothing to run
    auto run = RunFromRow(**load);
    if (!run) return run.error();
    auto job = JobFromRow(**load, kRunColumnCount);  // the job's columns follow the run's
    if (!job) return job.error();
    events.push_back(StoreChange::Run(StoreChange::Action::kStarted, id, job->id, "running", job->namespace_name));
    claimed.push_back(ClaimedRun{std::move(run).value(), job->name, job->task, job->timeout, job->retry});
  }
  return claimed;
}

}  // namespace

void SqliteJobStore::ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now,
                               core::TimePoint lease_until,
                               std::function<void(core::Result<std::vector<ClaimedRun>>)> done) {
  auto events = std::make_shared<std::vector<StoreChange>>();
  writer_->Submit<std::vector<ClaimedRun>>(
      [owner, limit, now, lease_until, events](SqliteConnection& db) -> core::Result<std::vector<ClaimedRun>> {
        auto ids = ClaimRunIds(db, owner, limit, now, lease_until);
        if (!ids) return ids.error();
        return LoadClaimed(db, *ids, *events);
      },
      [this, limit, events, done = std::move(done)](core::Result<std::vector<ClaimedRun>> claimed) {
        if (claimed) Publish(*events);
        // A full claim: more runs are waiting than the executor had room for.
        if (claimed.ok() && limit > 0 && claimed->size() == limit) writer_->NoteBacklog();
        done(std::move(claimed));
      });
}

void SqliteJobStore::FinishRun(const std::string& owner, RunCompletion completion,
                               std::function<void(core::Result<void>)> done) {
  const core::RunId run_id = completion.run_id;
  auto events = std::make_shared<std::vector<StoreChange>>();
  auto raised = std::make_shared<std::vector<RaisedAlert>>();
  writer_->Submit<bool>(
      [owner, completion = std::move(completion), events, raised](SqliteConnection& db) mutable -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET finished_at = ?2, duration_ms = ?2 - coalesce(started_at, ?2), output = ?3, "
            "state = CASE WHEN cancel_requested_at IS NULL OR ?1 = 'succeeded' THEN ?1 ELSE 'cancelled' END, "
            "error = CASE WHEN cancel_requested_at IS NULL OR ?1 = 'succeeded' OR ?1 = 'cancelled' THEN ?4 "
            "ELSE 'cancelled by request; ' || ?4 END, "
            "lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = ?5 AND state = 'running' AND lease_owner = ?6 RETURNING id, job_id, state");
        if (!update) return update.error();
        (*update)
            ->Bind(1, core::ToString(completion.state))
            .Bind(2, ToUnixMs(completion.finished_at))
            .Bind(3, CapRunOutput(completion.output))
            .Bind(4, CapRunOutput(completion.error))
            .Bind(5, completion.run_id)
            .Bind(6, owner);
        auto finished = CollectRunEvents(**update, *events);
        if (!finished) return finished.error();
        if (*finished != 1) return false;
        // The outcome's alerts, in its transaction (a cancelled run changes none).
        if (events->back().state != "cancelled") {
          if (auto alerted = RaiseRunEndAlerts(db, completion.run_id, *raised); !alerted) return alerted.error();
        }
        return true;
      },
      [this, events, raised, done = std::move(done), run_id](core::Result<bool> finished) {
        if (!finished) return done(finished.error());
        Publish(*events);
        raised_alerts_.Report(*raised);
        if (!*finished) {
          return done(core::Error::Conflict("run " + std::to_string(run_id) +
                                            " is no longer held by this node (its lease expired)"));
        }
        done(core::Ok());
      });
}

void SqliteJobStore::RetryRun(const std::string& owner, RunCompletion failed_attempt, core::TimePoint available_at,
                              std::function<void(core::Result<void>)> done) {
  const core::RunId run_id = failed_attempt.run_id;
  auto events = std::make_shared<std::vector<StoreChange>>();
  writer_->Submit<bool>(
      [owner, failed_attempt = std::move(failed_attempt), available_at,
       events](SqliteConnection& db) mutable -> core::Result<bool> {
        // The failed attempt joins the run's history before the run moves on.
        auto record = db.Cached(
            "INSERT INTO run_attempts (run_id, attempt, state, started_at, finished_at, error) "
            "SELECT id, attempt, ?3, started_at, ?4, ?5 FROM runs WHERE id = ?1 AND state = 'running' AND "
            "lease_owner = ?2 ON CONFLICT DO NOTHING");
        if (!record) return record.error();
        (*record)
            ->Bind(1, failed_attempt.run_id)
            .Bind(2, owner)
            .Bind(3, core::ToString(failed_attempt.state))
            .Bind(4, ToUnixMs(failed_attempt.finished_at))
            .Bind(5, CapRunOutput(failed_attempt.error));
        if (auto ran = (*record)->Run(); !ran) return ran.error();
        auto update = db.Cached(
            "UPDATE runs SET available_at = ?1, output = ?2, lease_owner = NULL, lease_expires_at = NULL, "
            // A run someone asked to cancel gets no further attempt.
            "state = CASE WHEN cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "attempt = CASE WHEN cancel_requested_at IS NULL THEN attempt + 1 ELSE attempt END, "
            "error = CASE WHEN cancel_requested_at IS NULL THEN ?3 ELSE 'cancelled by request; ' || ?3 END, "
            "finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ?6 END, "
            "duration_ms = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ?6 - coalesce(started_at, ?6) END, "
            "started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE started_at END "
            "WHERE id = ?4 AND state = 'running' AND lease_owner = ?5 RETURNING id, job_id, state");
        if (!update) return update.error();
        (*update)
            ->Bind(1, ToUnixMs(available_at))
            .Bind(2, CapRunOutput(failed_attempt.output))
            .Bind(3, CapRunOutput(failed_attempt.error))
            .Bind(4, failed_attempt.run_id)
            .Bind(5, owner)
            .Bind(6, ToUnixMs(failed_attempt.finished_at));
        auto retried = CollectRunEvents(**update, *events);
        if (!retried) return retried.error();
        return *retried == 1;
      },
      [this, events, done = std::move(done), run_id](core::Result<bool> retried) {
        if (!retried) return done(retried.error());
        Publish(*events);
        if (!*retried) {
          return done(core::Error::Conflict("run " + std::to_string(run_id) +
                                            " is no longer held by this node (its lease expired)"));
        }
        done(core::Ok());
      });
}

void SqliteJobStore::RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                                 std::function<void(core::Result<std::vector<core::RunId>>)> done) {
  writer_->Submit<std::vector<core::RunId>>(
      [owner, lease_until, held = std::move(held)](SqliteConnection& db) -> core::Result<std::vector<core::RunId>> {
        auto heartbeat = db.Cached(
            "INSERT INTO nodes (id, alive_until) VALUES (?1, ?2) "
            "ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until");
        if (!heartbeat) return heartbeat.error();
        (*heartbeat)->Bind(1, owner).Bind(2, ToUnixMs(lease_until));
        if (auto ran = (*heartbeat)->Run(); !ran) return ran.error();
        // Only the runs the executor still holds: the others' leases run
        // out and RequeueAbandonedRuns re-queues them (see run_queue.hpp).
        // One primary-key update per run, as ReleaseRuns does.
        auto update = db.Cached(
            "UPDATE runs SET lease_expires_at = ?1 WHERE id = ?2 AND state = 'running' AND lease_owner = ?3 "
            "RETURNING cancel_requested_at IS NOT NULL");
        if (!update) return update.error();
        std::vector<core::RunId> cancel_requested;
        for (const core::RunId id : held) {
          (*update)->Reset().Bind(1, ToUnixMs(lease_until)).Bind(2, id).Bind(3, owner);
          auto row = (*update)->Step();
          if (!row) return row.error();
          if (*row && (*update)->ColumnInt(0) != 0) cancel_requested.push_back(id);
        }
        return cancel_requested;
      },
      std::move(done));
}

void SqliteJobStore::RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                                          std::function<void(core::Result<std::size_t>)> done) {
  auto events = std::make_shared<std::vector<StoreChange>>();
  writer_->Submit<std::size_t>(
      [now, live_owner, all_other_owners, events](SqliteConnection& db) -> core::Result<std::size_t> {
        auto forget = db.Cached("DELETE FROM nodes WHERE alive_until < ?");
        if (!forget) return forget.error();
        (*forget)->Bind(1, ToUnixMs(now - kForgetSilentNodesAfter));
        if (auto ran = (*forget)->Run(); !ran) return ran.error();
        // The lost attempt joins the run's history (a cancelled run simply ends).
        auto record = db.Cached(
            "INSERT INTO run_attempts (run_id, attempt, state, started_at, finished_at, error) "
            "SELECT id, attempt, 'failed', started_at, ?1, 'abandoned: its executor (' || coalesce(lease_owner, '?') "
            "|| "
            "') stopped before it finished' FROM runs "
            "WHERE state = 'running' AND cancel_requested_at IS NULL "
            "AND (lease_expires_at < ?1 OR (?2 AND lease_owner IS NOT ?3)) ON CONFLICT DO NOTHING");
        if (!record) return record.error();
        (*record)->Bind(1, ToUnixMs(now)).Bind(2, std::int64_t{all_other_owners ? 1 : 0}).Bind(3, live_owner);
        if (auto ran = (*record)->Run(); !ran) return ran.error();
        auto update = db.Cached(
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, "
            "state = CASE WHEN cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "attempt = CASE WHEN cancel_requested_at IS NULL THEN attempt + 1 ELSE attempt END, "
            "finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ?1 END, "
            "error = CASE WHEN cancel_requested_at IS NULL THEN error "
            "ELSE 'cancelled by request (its executor stopped before it could)' END, "
            "started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE started_at END "
            "WHERE state = 'running' AND (lease_expires_at < ?1 OR (?2 AND lease_owner IS NOT ?3)) "
            "RETURNING id, job_id, state");
        if (!update) return update.error();
        (*update)->Bind(1, ToUnixMs(now)).Bind(2, std::int64_t{all_other_owners ? 1 : 0}).Bind(3, live_owner);
        return CollectRunEvents(**update, *events);
      },
      [this, events, done = std::move(done)](core::Result<std::size_t> requeued) {
        if (requeued && *requeued > 0) {
          PublishRunsQueued();
          Publish(*events);
        }
        done(std::move(requeued));
      });
}

void SqliteJobStore::ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                                 std::function<void(core::Result<void>)> done) {
  auto events = std::make_shared<std::vector<StoreChange>>();
  writer_->Submit<bool>(
      [owner, run_ids = std::move(run_ids), now, events](SqliteConnection& db) -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, "
            "state = CASE WHEN cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ?3 END, "
            "error = CASE WHEN cancel_requested_at IS NULL THEN error ELSE 'cancelled by request' END, "
            "started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE started_at END "
            "WHERE id = ?1 AND state = 'running' AND lease_owner = ?2 RETURNING id, job_id, state");
        if (!update) return update.error();
        for (const core::RunId id : run_ids) {
          (*update)->Reset().Bind(1, id).Bind(2, owner).Bind(3, ToUnixMs(now));
          if (auto released = CollectRunEvents(**update, *events); !released) return released.error();
        }
        return !events->empty();
      },
      [this, events, done = std::move(done)](core::Result<bool> released) {
        if (!released) return done(released.error());
        if (*released) {
          PublishRunsQueued();
          Publish(*events);
        }
        done(core::Ok());
      });
}

core::Result<std::size_t> SqliteJobStore::LiveNodeCount(core::TimePoint now) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement = (**reader).Cached("SELECT count(*) FROM nodes WHERE alive_until >= ?");
  if (!statement) return statement.error();
  (*statement)->Bind(1, ToUnixMs(now));
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const auto count = static_cast<std::size_t>((*statement)->ColumnInt(0));
  return count;
}

core::Result<std::size_t> SqliteJobStore::QueuedRunCount() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement = (**reader).Cached("SELECT count(*) FROM runs WHERE state = 'queued'");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const auto count = static_cast<std::size_t>((*statement)->ColumnInt(0));
  return count;
}

}  // namespace jobsched::store::sqlite
