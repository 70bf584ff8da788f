// The scheduling half of SqliteJobStore that JobStore declares: firing due
// jobs (sqlite_firing), triggering and cancelling runs, and run history. The
// run queue is sqlite_run_queue.cpp, as PostgreSQL's is postgres_run_queue.cpp.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_alerts.hpp"
#include "store/sqlite/sqlite_firing.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {

using core::ToUnixMs;

core::Result<std::optional<core::TimePoint>> SqliteJobStore::NextDueTime() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  // Each half reads the first entry of its index (next_run: jobs_due; paused_until: jobs_paused_until).
  auto statement = (**reader).Cached(
      "SELECT min(t) FROM (SELECT min(next_run) AS t FROM jobs WHERE is_active = 1 AND next_run IS NOT NULL"
      " UNION ALL SELECT min(paused_until) FROM jobs WHERE paused_until IS NOT NULL AND is_active = 0)");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const auto next = OptionalTime((*statement)->ColumnOptionalInt(0));
  return next;
}

void SqliteJobStore::FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner,
                                 std::function<void(core::Result<FireResult>)> done) {
  // The jobs whose next_run / last_run this firing moves, for the cache, and
  // what it did, for the change feed.
  auto touched = std::make_shared<std::vector<core::JobId>>();
  auto events = std::make_shared<std::vector<StoreChange>>();
  auto raised = std::make_shared<std::vector<RaisedAlert>>();
  writer_->Submit<FireResult>(
      [submitted = now, clock = clock_, limit, planner = std::move(planner), touched, events,
       raised](SqliteConnection& db) -> core::Result<FireResult> {
        // What is due by now, not only by when the write was submitted (see SqliteOptions::clock).
        const core::TimePoint now = clock != nullptr ? std::max(submitted, clock->Now()) : submitted;
        auto fired = FireDue(db, now, limit, planner, *touched, *events);
        if (!fired) return fired;
        // Skipped occurrences are outcomes: their alerts, in the same transaction.
        for (const StoreChange& change : *events) {
          if (change.kind != StoreChange::Kind::kRun || change.state != "skipped") continue;
          if (auto alerted = RaiseRunEndAlerts(db, change.run_id, *raised); !alerted) return alerted.error();
        }
        return fired;
      },
      [this, touched, events, raised, done = std::move(done)](core::Result<FireResult> fired) {
        // Nothing fired (the usual tick): nothing to forget, and reads in flight may keep theirs.
        if (!touched->empty()) cache_.Invalidate(*touched);
        if (fired && fired->runs_created > 0) PublishRunsQueued();
        if (fired) Publish(*events);
        if (fired) raised_alerts_.Report(*raised);
        if (fired.ok() && fired->more_due) writer_->NoteBacklog();
        done(std::move(fired));
      });
}

core::Result<core::Run> SqliteJobStore::QueueManualRun(SqliteConnection& db, const core::Job& job,
                                                       core::TimePoint now) const {
  if (auto quota = CheckRunQuota(db, job.id, now); !quota) return quota.error();
  if (job.overlap == core::OverlapPolicy::kSkip) {
    auto unfinished = UnfinishedRunOf(db, job.id);
    if (!unfinished) return unfinished.error();
    if (*unfinished) {
      return core::Error::Conflict("run " + std::to_string(**unfinished) +
                                   " of this job has not finished and its overlap policy is skip; cancel it, "
                                   "wait for it, or set overlap to allow or queue");
    }
  }
  auto insert = db.Cached(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at) "
      "VALUES (?, ?, 'manual', 'queued', 1, ?)");
  if (!insert) return insert.error();
  (*insert)->Bind(1, job.id).Bind(2, ToUnixMs(now)).Bind(3, ToUnixMs(now));
  if (auto ran = (*insert)->Run(); !ran) return ran.error();
  core::Run run;
  run.id = db.LastInsertRowId();
  run.job_id = job.id;
  run.scheduled_for = now;
  run.trigger = core::RunTrigger::kManual;
  run.state = core::RunState::kQueued;
  run.created_at = now;
  return run;
}

void SqliteJobStore::TriggerJob(core::JobId id, core::TimePoint now, std::function<void(core::Result<core::Run>)> done,
                                Audit audit) {
  auto job_namespace = std::make_shared<std::string>();
  writer_->Submit<core::Run>(
      [this, id, now, job_namespace, audit = std::move(audit)](SqliteConnection& db) -> core::Result<core::Run> {
        auto job = ReadJob(db, id);
        if (!job) return job.error();
        *job_namespace = job->namespace_name;
        auto run = QueueManualRun(db, *job, now);
        if (run && audit) {
          if (auto recorded = InsertAudit(db, RunNowAuditEntry(*audit, *job, run->id)); !recorded) {
            return recorded.error();
          }
        }
        return run;
      },
      [this, job_namespace, done = std::move(done)](core::Result<core::Run> triggered) {
        if (triggered) {
          PublishRunsQueued();
          Publish({StoreChange::Run(StoreChange::Action::kQueued, triggered->id, triggered->job_id, "queued",
                                    *job_namespace)});
        }
        done(std::move(triggered));
      });
}

namespace {

// Inserts a queued backfill run for each of `occurrences` that has none yet;
// how many it inserted.
core::Result<std::size_t> InsertBackfillRuns(SqliteConnection& db, core::JobId job_id,
                                             const std::vector<core::TimePoint>& occurrences, core::TimePoint now) {
  auto insert = db.Cached(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at) "
      "VALUES (?, ?, 'backfill', 'queued', 1, ?) "
      "ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING");
  if (!insert) return insert.error();
  std::size_t created = 0;
  for (const core::TimePoint occurrence : occurrences) {
    (*insert)->Reset().Bind(1, job_id).Bind(2, ToUnixMs(occurrence)).Bind(3, ToUnixMs(now));
    if (auto ran = (*insert)->Run(); !ran) return ran.error();
    if (db.Changes() == 1) ++created;
  }
  return created;
}

}  // namespace

void SqliteJobStore::BackfillJob(core::JobId id, core::TimePoint now, BackfillPlanner planner, BackfillDone done,
                                 Audit audit) {
  auto job_namespace = std::make_shared<std::string>();
  writer_->Submit<BackfillResult>(
      [id, now, planner = std::move(planner), job_namespace,
       audit = std::move(audit)](SqliteConnection& db) -> core::Result<BackfillResult> {
        auto job = ReadJob(db, id);
        if (!job) return job.error();
        *job_namespace = job->namespace_name;
        auto occurrences = planner(*job);
        if (!occurrences) return occurrences.error();
        auto created = InsertBackfillRuns(db, id, *occurrences, now);
        if (!created) return created.error();
        const BackfillResult result{*created, occurrences->size() - *created};
        if (audit) {
          auto recorded = InsertAudit(db, BackfillAuditEntry(*audit, *job, result.created, result.existing));
          if (!recorded) return recorded.error();
        }
        return result;
      },
      [this, id, job_namespace, done = std::move(done)](core::Result<BackfillResult> backfilled) {
        if (backfilled && backfilled->created > 0) {
          PublishRunsQueued();
          // One job.updated for the job's new runs, not a run.queued per run:
          // up to 10,000 at once would overflow every subscriber's buffer.
          Publish({StoreChange::Job(StoreChange::Action::kUpdated, id, *job_namespace)});
        }
        done(std::move(backfilled));
      });
}

core::Result<core::Run> RequestCancel(SqliteConnection& db, core::RunId run_id, core::TimePoint now) {
  // A queued run ends here; a running one ends when its executor has
  // stopped it, which the first request already asked for.
  auto update = db.Cached(
      "UPDATE runs SET "
      "state = CASE state WHEN 'queued' THEN 'cancelled' ELSE state END, "
      "finished_at = CASE state WHEN 'queued' THEN ?2 ELSE finished_at END, "
      "error = CASE state WHEN 'queued' THEN 'cancelled before it started' ELSE error END, "
      "cancel_requested_at = coalesce(cancel_requested_at, ?2) "
      "WHERE id = ?1");
  if (!update) return update.error();
  (*update)->Bind(1, run_id).Bind(2, ToUnixMs(now));
  if (auto ran = (*update)->Run(); !ran) return ran.error();
  return ReadRun(db, run_id);
}

void SqliteJobStore::CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now,
                               std::function<void(core::Result<core::Run>)> done) {
  writer_->Submit<core::Run>(
      [job_id, run_id, now](SqliteConnection& db) -> core::Result<core::Run> {
        auto run = ReadRun(db, run_id);
        if (!run) return run.error();
        if (run->job_id != job_id) return RunNotFound(run_id);
        if (core::IsTerminal(run->state)) {
          return core::Error::Conflict("run " + std::to_string(run_id) + " has already ended (" +
                                       std::string(core::ToString(run->state)) + ")");
        }
        return RequestCancel(db, run_id, now);
      },
      [this, done = std::move(done)](core::Result<core::Run> cancelled) {
        if (cancelled) Publish({CancelEvent(*cancelled)});
        done(std::move(cancelled));
      });
}

StoreChange CancelEvent(const core::Run& run) {
  const bool ended = core::IsTerminal(run.state);
  return StoreChange::Run(ended ? StoreChange::Action::kFinished : StoreChange::Action::kUpdated, run.id, run.job_id,
                          std::string(core::ToString(run.state)));
}

core::Result<core::Run> SqliteJobStore::GetRun(core::RunId id) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  return ReadRun(**reader, id);
}

core::Result<std::vector<core::RunAttempt>> SqliteJobStore::ListRunAttempts(core::RunId id) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  // One snapshot for both reads: the run cannot be retried in between.
  const ReadSnapshot snapshot(**reader);
  if (!snapshot.begun()) return snapshot.begun().error();
  if (auto run = ReadRun(**reader, id); !run) return run.error();
  auto select = (**reader).Cached(
      "SELECT attempt, state, started_at, finished_at, error FROM run_attempts WHERE run_id = ? ORDER BY attempt");
  if (!select) return select.error();
  (*select)->Bind(1, id);
  std::vector<core::RunAttempt> attempts;
  for (;;) {
    auto row = (*select)->Step();
    if (!row) return row.error();
    if (!*row) break;
    const auto state = core::ParseRunState((*select)->ColumnText(1));
    if (!state) return core::Error::Internal("stored run attempt has an unknown state");
    attempts.push_back(core::RunAttempt{static_cast<int>((*select)->ColumnInt(0)), *state,
                                        OptionalTime((*select)->ColumnOptionalInt(2)),
                                        OptionalTime((*select)->ColumnOptionalInt(3)), (*select)->ColumnText(4)});
  }
  return attempts;
}

core::Result<std::vector<core::Run>> SqliteJobStore::ListRuns(const RunListQuery& query) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kFilters =
      " AND runs.id < ?2"
      " AND (?4 IS NULL OR runs.state = ?4)"
      " AND (?5 IS NULL OR runs.scheduled_for >= ?5)"
      " AND (?6 IS NULL OR runs.scheduled_for < ?6)"
      " AND (?7 IS NULL OR runs.job_id IN (SELECT jobs.id FROM jobs WHERE jobs.namespace = ?7))"
      " AND (?8 IS NULL OR runs.trigger = ?8)"
      " ORDER BY runs.id DESC LIMIT ?3";
  // One job's page has its own statement: SQLite plans a statement once, and
  // `?1 IS NULL OR job_id = ?1` made it walk every run newest first until it
  // had a page of this job's (all of them, for a job with few runs), holding
  // its read snapshot, and so the WAL, all along. `job_id = ?1` reads runs_by_job.
  static const std::string kAll = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE ?1 IS NULL" + kFilters;
  static const std::string kOfJob =
      "SELECT " + std::string(kRunColumns) + " FROM runs WHERE runs.job_id = ?1" + kFilters;
  auto statement = (**reader).Cached(query.job_id ? kOfJob : kAll);
  if (!statement) return statement.error();
  (*statement)
      ->Bind(1, query.job_id)
      .Bind(2, query.before_id.value_or(INT64_MAX))
      .Bind(3, static_cast<std::int64_t>(query.limit))
      .Bind(5, OptionalMs(query.scheduled_from))
      .Bind(6, OptionalMs(query.scheduled_until));
  if (query.state) (*statement)->Bind(4, core::ToString(*query.state));
  if (query.job_namespace) (*statement)->Bind(7, *query.job_namespace);
  if (query.trigger) (*statement)->Bind(8, core::ToString(*query.trigger));
  return CollectRows<core::Run>(**statement, RunFromRow);
}

}  // namespace jobsched::store::sqlite
