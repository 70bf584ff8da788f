// The scheduling half of PostgresJobStore: firing due jobs, manual runs,
// cancellation, and run history.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_events.hpp"
#include "store/postgres/pg_firing.hpp"
#include "store/postgres/pg_limits.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"
#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {

using core::ToUnixMs;

core::Result<std::optional<core::TimePoint>> PostgresJobStore::NextDueTime() {
  return database_->readers().Read<std::optional<core::TimePoint>>(
      [](PgConnection& db) -> core::Result<std::optional<core::TimePoint>> {
        // Each half reads the first entry of its index (next_run, jobs_paused_until).
        auto selected = db.Query(
            "SELECT least((SELECT min(next_run) FROM jobs WHERE is_active AND next_run IS NOT NULL),"
            " (SELECT min(paused_until) FROM jobs WHERE paused_until IS NOT NULL AND NOT is_active))");
        if (!selected) return selected.error();
        return OptionalTime(selected->OptionalInt(0, 0));
      });
}

void PostgresJobStore::FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner,
                                   std::function<void(core::Result<FireResult>)> done) {
  auto raised = std::make_shared<std::vector<RaisedAlert>>();
  database_->writer().Submit<FireResult>(
      [now, limit, planner = std::move(planner), raised](PgConnection& db) -> core::Result<FireResult> {
        raised->clear();  // a retried transaction raises afresh
        auto fired = FireDue(db, now, limit, planner, *raised);
        // Every node's worker pool may claim them (see PgListener).
        if (fired && fired->runs_created > 0) {
          if (auto notified = Notify(db, kRunsChannel); !notified) return notified.error();
        }
        return fired;
      },
      // The relay, not the database: a callback holding the last reference would
      // destroy the database, and join its writer, on that writer's own thread.
      [relay = &database_->raised_alerts(), raised, done = std::move(done)](core::Result<FireResult> fired) {
        if (fired) relay->Report(*raised);
        done(std::move(fired));
      });
}

core::Result<core::Run> QueueManualRun(PgConnection& db, const core::Job& job, core::TimePoint now,
                                       std::size_t max_runs) {
  if (auto quota = CheckRunQuota(db, job.id, now, max_runs); !quota) return quota.error();
  if (job.overlap == core::OverlapPolicy::kSkip) {
    auto unfinished =
        db.Query("SELECT id FROM runs WHERE job_id = $1 AND state IN ('queued', 'running') ORDER BY id LIMIT 1",
                 PgParams().Add(job.id));
    if (!unfinished) return unfinished.error();
    if (unfinished->rows() > 0) {
      return core::Error::Conflict("run " + std::to_string(unfinished->Int(0, 0)) +
                                   " of this job has not finished and its overlap policy is skip; cancel it, "
                                   "wait for it, or set overlap to allow or queue");
    }
  }
  auto inserted = db.Query(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at) "
      "VALUES ($1, $2, 'manual', 'queued', 1, $2) RETURNING id",
      PgParams().Add(job.id).Add(ToUnixMs(now)));
  if (!inserted) return inserted.error();
  if (auto notified = Notify(db, kRunsChannel); !notified) return notified.error();
  if (auto notified = NotifyEvents(db, {StoreChange::Run(StoreChange::Action::kQueued, inserted->Int(0, 0), job.id,
                                                         "queued", job.namespace_name)});
      !notified) {
    return notified.error();
  }
  core::Run run;
  run.id = inserted->Int(0, 0);
  run.job_id = job.id;
  run.scheduled_for = now;
  run.trigger = core::RunTrigger::kManual;
  run.state = core::RunState::kQueued;
  run.created_at = now;
  return run;
}

void PostgresJobStore::TriggerJob(core::JobId id, core::TimePoint now,
                                  std::function<void(core::Result<core::Run>)> done) {
  database_->writer().Submit<core::Run>(
      [id, now, max_runs = limits_.max_runs_per_job_per_minute](PgConnection& db) -> core::Result<core::Run> {
        // Locked: two nodes triggering the same job under overlap skip (or a
        // node firing it) take turns, so the checks stay true until we commit.
        auto job = ReadJob(db, id, RowLock::kForUpdate);
        if (!job) return job.error();
        return QueueManualRun(db, *job, now, max_runs);
      },
      std::move(done));
}

namespace {

// Inserts a queued backfill run for each of `occurrences` that has none yet,
// in one statement; how many it inserted.
core::Result<std::size_t> InsertBackfillRuns(PgConnection& db, core::JobId job_id,
                                             const std::vector<core::TimePoint>& occurrences, core::TimePoint now) {
  std::vector<std::optional<std::int64_t>> times;
  times.reserve(occurrences.size());
  for (const core::TimePoint occurrence : occurrences) times.emplace_back(ToUnixMs(occurrence));
  auto inserted = db.Query(
      "WITH inserted AS ("
      " INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at)"
      " SELECT $1, o.scheduled_for, 'backfill', 'queued', 1, $3"
      " FROM unnest($2::bigint[]) WITH ORDINALITY AS o (scheduled_for, n) ORDER BY o.n"
      " ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING RETURNING 1) "
      "SELECT count(*) FROM inserted",
      PgParams().Add(job_id).AddArray(times).Add(ToUnixMs(now)));
  if (!inserted) return inserted.error();
  return static_cast<std::size_t>(inserted->Int(0, 0));
}

}  // namespace

void PostgresJobStore::BackfillJob(core::JobId id, core::TimePoint now, BackfillPlanner planner, BackfillDone done) {
  database_->writer().Submit<BackfillResult>(
      [id, now, planner = std::move(planner)](PgConnection& db) -> core::Result<BackfillResult> {
        // Read as firing reads it (FOR NO KEY UPDATE): the schedule cannot
        // change between the plan and the insert.
        auto job = ReadJob(db, id, RowLock::kForUpdate);
        if (!job) return job.error();
        auto occurrences = planner(*job);
        if (!occurrences) return occurrences.error();
        auto created = InsertBackfillRuns(db, id, *occurrences, now);
        if (!created) return created.error();
        if (*created > 0) {
          if (auto notified = Notify(db, kRunsChannel); !notified) return notified.error();
          // One job.updated, not a run.queued per run (see SqliteJobStore::BackfillJob).
          if (auto notified =
                  NotifyEvents(db, {StoreChange::Job(StoreChange::Action::kUpdated, id, job->namespace_name)});
              !notified) {
            return notified.error();
          }
        }
        return BackfillResult{*created, occurrences->size() - *created};
      },
      std::move(done));
}

core::Result<core::Run> RequestCancel(PgConnection& db, core::RunId run_id, core::TimePoint now) {
  // A queued run ends here; a running one ends when its executor has
  // stopped it, which the first request already asked for.
  static const std::string kCancel =
      "UPDATE runs SET "
      "state = CASE state WHEN 'queued' THEN 'cancelled' ELSE state END, "
      "finished_at = CASE state WHEN 'queued' THEN $2 ELSE finished_at END, "
      "error = CASE state WHEN 'queued' THEN 'cancelled before it started' ELSE error END, "
      "cancel_requested_at = coalesce(cancel_requested_at, $2) "
      "WHERE id = $1 RETURNING " +
      std::string(kRunColumns);
  auto updated = db.Query(kCancel, PgParams().Add(run_id).Add(ToUnixMs(now)));
  if (!updated) return updated.error();
  if (updated->rows() != 1) return RunNotFound(run_id);
  auto cancelled = RunFromRow(*updated, 0);
  if (!cancelled) return cancelled.error();
  const bool ended = core::IsTerminal(cancelled->state);
  if (auto notified = NotifyEvents(
          db, {StoreChange::Run(ended ? StoreChange::Action::kFinished : StoreChange::Action::kUpdated, run_id,
                                cancelled->job_id, std::string(core::ToString(cancelled->state)))});
      !notified) {
    return notified.error();
  }
  return cancelled;
}

void PostgresJobStore::CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now,
                                 std::function<void(core::Result<core::Run>)> done) {
  database_->writer().Submit<core::Run>(
      [job_id, run_id, now](PgConnection& db) -> core::Result<core::Run> {
        auto run = ReadRun(db, run_id, RowLock::kForUpdate);
        if (!run) return run.error();
        if (run->job_id != job_id) return RunNotFound(run_id);
        if (core::IsTerminal(run->state)) {
          return core::Error::Conflict("run " + std::to_string(run_id) + " has already ended (" +
                                       std::string(core::ToString(run->state)) + ")");
        }
        return RequestCancel(db, run_id, now);
      },
      std::move(done));
}

core::Result<core::Run> PostgresJobStore::GetRun(core::RunId id) {
  return database_->readers().Read<core::Run>([id](PgConnection& db) { return ReadRun(db, id, RowLock::kNone); });
}

core::Result<std::vector<core::RunAttempt>> PostgresJobStore::ListRunAttempts(core::RunId id) {
  return database_->readers().Read<std::vector<core::RunAttempt>>(
      [id](PgConnection& db) -> core::Result<std::vector<core::RunAttempt>> {
        // One statement, so one snapshot: the run cannot be retried between
        // finding it and reading its attempts.
        auto selected = db.Query(
            "SELECT a.attempt, a.state, a.started_at, a.finished_at, a.error "
            "FROM runs r LEFT JOIN run_attempts a ON a.run_id = r.id WHERE r.id = $1 ORDER BY a.attempt",
            PgParams().Add(id));
        if (!selected) return selected.error();
        if (selected->rows() == 0) return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
        std::vector<core::RunAttempt> attempts;
        for (int row = 0; row < selected->rows(); ++row) {
          if (selected->IsNull(row, 0)) continue;  // the run, without earlier attempts
          const auto state = core::ParseRunState(selected->Text(row, 1));
          if (!state) return core::Error::Internal("stored run attempt has an unknown state");
          attempts.push_back(core::RunAttempt{
              static_cast<int>(selected->Int(row, 0)), *state, OptionalTime(selected->OptionalInt(row, 2)),
              OptionalTime(selected->OptionalInt(row, 3)), std::string(selected->Text(row, 4))});
        }
        return attempts;
      });
}

core::Result<std::vector<core::Run>> PostgresJobStore::ListRuns(const RunListQuery& query) {
  return database_->readers().Read<std::vector<core::Run>>(
      [&query](PgConnection& db) -> core::Result<std::vector<core::Run>> {
        static const std::string kSql = "SELECT " + std::string(kRunColumns) +
                                        " FROM runs WHERE ($1::bigint IS NULL OR runs.job_id = $1::bigint)"
                                        " AND runs.id < $2"
                                        " AND ($4::text IS NULL OR runs.state = $4::text)"
                                        " AND ($5::bigint IS NULL OR runs.scheduled_for >= $5::bigint)"
                                        " AND ($6::bigint IS NULL OR runs.scheduled_for < $6::bigint)"
                                        " AND ($7::text IS NULL OR runs.job_id IN"
                                        " (SELECT jobs.id FROM jobs WHERE jobs.namespace = $7::text))"
                                        " AND ($8::text IS NULL OR runs.trigger = $8::text)"
                                        " ORDER BY runs.id DESC LIMIT $3";
        PgParams params;
        params.Add(query.job_id).Add(query.before_id.value_or(INT64_MAX)).Add(static_cast<std::int64_t>(query.limit));
        if (query.state) {
          params.Add(core::ToString(*query.state));
        } else {
          params.AddNull();
        }
        params.Add(OptionalMs(query.scheduled_from)).Add(OptionalMs(query.scheduled_until));
        if (query.job_namespace) {
          params.Add(*query.job_namespace);
        } else {
          params.AddNull();
        }
        if (query.trigger) {
          params.Add(core::ToString(*query.trigger));
        } else {
          params.AddNull();
        }
        auto selected = db.Query(kSql, params);
        if (!selected) return selected.error();
        return CollectRows<core::Run>(*selected, RunFromRow);
      });
}

}  // namespace jobsched::store::postgres
