// The scheduling half of SqliteJobStore: firing due jobs, the run queue with
// its leases, and run history.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "store/run_output.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

// The job's oldest run that is queued or running, if any. INDEXED BY: runs_by_job
// would serve the same order, through the job's whole history (migration 0014).
core::Result<std::optional<core::RunId>> UnfinishedRunOf(SqliteConnection& db, core::JobId job_id) {
  auto select = db.Cached(
      "SELECT id FROM runs INDEXED BY runs_unfinished_by_job "
      "WHERE job_id = ? AND (state = 'queued' OR state = 'running') ORDER BY id LIMIT 1");
  if (!select) return select.error();
  (*select)->Bind(1, job_id);
  auto row = (*select)->Step();
  if (!row) return row.error();
  std::optional<core::RunId> id;
  if (*row) id = (*select)->ColumnInt(0);
  return id;
}

core::Result<std::size_t> FireOneJob(SqliteConnection& db, const core::Job& job, const core::FirePlan& plan,
                                     core::TimePoint now) {
  auto insert = db.Cached(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, available_at, jitter_ms) "
      "VALUES (?, ?, 'schedule', 'queued', 1, ?, ?, ?) "
      "ON CONFLICT (job_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING");
  if (!insert) return insert.error();
  std::size_t created = 0;
  for (const core::TimePoint occurrence : plan.occurrences) {
    const core::Milliseconds jitter = core::JitterDelay(job, occurrence);
    (*insert)->Reset().Bind(1, job.id).Bind(2, ToUnixMs(occurrence)).Bind(3, ToUnixMs(now));
    if (jitter.count() > 0) {
      (*insert)->Bind(4, ToUnixMs(occurrence + jitter));
    } else {
      (*insert)->BindNull(4);
    }
    (*insert)->Bind(5, std::int64_t{jitter.count()});
    if (auto done = (*insert)->Run(); !done) return done.error();
    created += static_cast<std::size_t>(db.Changes());
  }
  // Occurrences that will not run are recorded too, so history shows what
  // did not happen and why; they take their occurrence's unique slot.
  if (!plan.skipped.empty()) {
    auto skip = db.Cached(
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, finished_at, error) "
        "VALUES (?1, ?2, 'schedule', 'skipped', 1, ?3, ?3, ?4) "
        "ON CONFLICT (job_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING");
    if (!skip) return skip.error();
    for (const core::SkippedOccurrence& skipped : plan.skipped) {
      (*skip)
          ->Reset()
          .Bind(1, job.id)
          .Bind(2, ToUnixMs(skipped.scheduled_for))
          .Bind(3, ToUnixMs(now))
          .Bind(4, skipped.reason);
      if (auto done = (*skip)->Run(); !done) return done.error();
    }
  }
  // Compare-and-set on next_run: if anything moved the job meanwhile, the
  // advance is not ours to make.
  auto advance =
      db.Cached("UPDATE jobs SET next_run = ?, last_run = coalesce(?, last_run) WHERE id = ? AND next_run = ?");
  if (!advance) return advance.error();
  (*advance)
      ->Bind(1, OptionalMs(plan.next_run))
      .Bind(2, OptionalMs(plan.last_run))
      .Bind(3, job.id)
      .Bind(4, OptionalMs(job.next_run));
  if (auto done = (*advance)->Run(); !done) return done.error();
  return created;
}

}  // namespace

core::Result<std::optional<core::TimePoint>> SqliteJobStore::NextDueTime() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement = (**reader).Cached("SELECT min(next_run) FROM jobs WHERE is_active = 1 AND next_run IS NOT NULL");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const auto next = OptionalTime((*statement)->ColumnOptionalInt(0));
  return next;
}

void SqliteJobStore::FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner,
                                 std::function<void(core::Result<FireResult>)> done) {
  // The jobs whose next_run / last_run this firing moves, for the cache.
  auto touched = std::make_shared<std::vector<core::JobId>>();
  writer_->Submit<FireResult>(
      [submitted = now, clock = clock_, limit, planner = std::move(planner),
       touched](SqliteConnection& db) -> core::Result<FireResult> {
        // What is due by now, not only by when the write was submitted (see SqliteOptions::clock).
        const core::TimePoint now = clock != nullptr ? std::max(submitted, clock->Now()) : submitted;
        static const std::string kSql = "SELECT " + std::string(kJobColumns) +
                                        " FROM jobs WHERE is_active = 1 AND next_run IS NOT NULL AND next_run <= ?"
                                        " ORDER BY next_run LIMIT ?";
        auto select = db.Cached(kSql);
        if (!select) return select.error();
        (*select)->Bind(1, ToUnixMs(now)).Bind(2, static_cast<std::int64_t>(limit));
        auto due = CollectRows<core::Job>(**select, JobFromRow);
        if (!due) return due.error();
        (*select)->Reset();

        FireResult result;
        result.more_due = due->size() == limit;
        for (const core::Job& job : *due) {
          std::optional<core::RunId> in_progress;
          if (job.overlap == core::OverlapPolicy::kSkip) {
            auto unfinished = UnfinishedRunOf(db, job.id);
            if (!unfinished) return unfinished.error();
            in_progress = *unfinished;
          }
          touched->push_back(job.id);
          auto created = FireOneJob(db, job, planner(job, now, in_progress), now);
          if (!created) return created.error();
          result.runs_created += *created;
          ++result.jobs_fired;
        }
        return result;
      },
      [this, touched, done = std::move(done)](core::Result<FireResult> fired) {
        // Nothing fired (the usual tick): nothing to forget, and reads in flight may keep theirs.
        if (!touched->empty()) cache_.Invalidate(*touched);
        if (fired && fired->runs_created > 0) PublishRunsQueued();
        if (fired.ok() && fired->more_due) writer_->NoteBacklog();
        done(std::move(fired));
      });
}

void SqliteJobStore::TriggerJob(core::JobId id, core::TimePoint now,
                                std::function<void(core::Result<core::Run>)> done) {
  writer_->Submit<core::Run>(
      [this, id, now](SqliteConnection& db) -> core::Result<core::Run> {
        auto job = ReadJob(db, id);
        if (!job) return job.error();
        if (auto quota = CheckRunQuota(db, id, now); !quota) return quota.error();
        if (job->overlap == core::OverlapPolicy::kSkip) {
          auto unfinished = UnfinishedRunOf(db, id);
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
        (*insert)->Bind(1, id).Bind(2, ToUnixMs(now)).Bind(3, ToUnixMs(now));
        if (auto ran = (*insert)->Run(); !ran) return ran.error();
        core::Run run;
        run.id = db.LastInsertRowId();
        run.job_id = id;
        run.scheduled_for = now;
        run.trigger = core::RunTrigger::kManual;
        run.state = core::RunState::kQueued;
        run.created_at = now;
        return run;
      },
      [this, done = std::move(done)](core::Result<core::Run> triggered) {
        if (triggered) PublishRunsQueued();
        done(std::move(triggered));
      });
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
      },
      std::move(done));
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
  if (auto begun = (**reader).Execute("BEGIN"); !begun) return begun.error();
  struct Rollback {
    SqliteConnection& db;
    ~Rollback() { (void)db.Execute("ROLLBACK"); }
  } rollback{**reader};
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
  return CollectRows<core::Run>(**statement, RunFromRow);
}

void SqliteJobStore::ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now,
                               core::TimePoint lease_until,
                               std::function<void(core::Result<std::vector<ClaimedRun>>)> done) {
  writer_->Submit<std::vector<ClaimedRun>>(
      [owner, limit, now, lease_until](SqliteConnection& db) -> core::Result<std::vector<ClaimedRun>> {
        // Claim and lease in one statement, so a crash between the two cannot
        // leave a run marked running with no lease.
        static const std::string kClaim =
            "UPDATE runs SET state = 'running', lease_owner = ?1, lease_expires_at = ?2, started_at = ?3 "
            "WHERE id IN (SELECT r.id FROM runs r JOIN jobs j ON j.id = r.job_id "
            "WHERE r.state = 'queued' AND (r.available_at IS NULL OR r.available_at <= ?3) "
            // overlap queue: one at a time, oldest first.
            "AND (j.overlap <> 'queue' OR NOT EXISTS (SELECT 1 FROM runs p INDEXED BY runs_unfinished_by_job "
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
          claimed.push_back(ClaimedRun{std::move(run).value(), job->name, job->task, job->timeout, job->retry});
        }
        return claimed;
      },
      [this, limit, done = std::move(done)](core::Result<std::vector<ClaimedRun>> claimed) {
        // A full claim: more runs are waiting than the executor had room for.
        if (claimed.ok() && limit > 0 && claimed->size() == limit) writer_->NoteBacklog();
        done(std::move(claimed));
      });
}

void SqliteJobStore::FinishRun(const std::string& owner, RunCompletion completion,
                               std::function<void(core::Result<void>)> done) {
  writer_->Submit<bool>(
      [owner, completion = std::move(completion)](SqliteConnection& db) mutable -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET finished_at = ?2, duration_ms = ?2 - coalesce(started_at, ?2), output = ?3, "
            "state = CASE WHEN cancel_requested_at IS NULL OR ?1 = 'succeeded' THEN ?1 ELSE 'cancelled' END, "
            "error = CASE WHEN cancel_requested_at IS NULL OR ?1 = 'succeeded' OR ?1 = 'cancelled' THEN ?4 "
            "ELSE 'cancelled by request; ' || ?4 END, "
            "lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = ?5 AND state = 'running' AND lease_owner = ?6");
        if (!update) return update.error();
        (*update)
            ->Bind(1, core::ToString(completion.state))
            .Bind(2, ToUnixMs(completion.finished_at))
            .Bind(3, CapRunOutput(std::move(completion.output)))
            .Bind(4, CapRunOutput(std::move(completion.error)))
            .Bind(5, completion.run_id)
            .Bind(6, owner);
        if (auto ran = (*update)->Run(); !ran) return ran.error();
        return db.Changes() == 1;
      },
      [done = std::move(done), run_id = completion.run_id](core::Result<bool> finished) {
        if (!finished) return done(finished.error());
        if (!*finished) {
          return done(core::Error::Conflict("run " + std::to_string(run_id) +
                                            " is no longer held by this node (its lease expired)"));
        }
        done(core::Ok());
      });
}

void SqliteJobStore::RetryRun(const std::string& owner, RunCompletion failed_attempt, core::TimePoint available_at,
                              std::function<void(core::Result<void>)> done) {
  writer_->Submit<bool>(
      [owner, failed_attempt = std::move(failed_attempt),
       available_at](SqliteConnection& db) mutable -> core::Result<bool> {
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
            "WHERE id = ?4 AND state = 'running' AND lease_owner = ?5");
        if (!update) return update.error();
        (*update)
            ->Bind(1, ToUnixMs(available_at))
            .Bind(2, CapRunOutput(std::move(failed_attempt.output)))
            .Bind(3, CapRunOutput(std::move(failed_attempt.error)))
            .Bind(4, failed_attempt.run_id)
            .Bind(5, owner)
            .Bind(6, ToUnixMs(failed_attempt.finished_at));
        if (auto ran = (*update)->Run(); !ran) return ran.error();
        return db.Changes() == 1;
      },
      [done = std::move(done), run_id = failed_attempt.run_id](core::Result<bool> retried) {
        if (!retried) return done(retried.error());
        if (!*retried) {
          return done(core::Error::Conflict("run " + std::to_string(run_id) +
                                            " is no longer held by this node (its lease expired)"));
        }
        done(core::Ok());
      });
}

void SqliteJobStore::RenewLeases(const std::string& owner, core::TimePoint lease_until,
                                 std::function<void(core::Result<std::vector<core::RunId>>)> done) {
  writer_->Submit<std::vector<core::RunId>>(
      [owner, lease_until](SqliteConnection& db) -> core::Result<std::vector<core::RunId>> {
        auto heartbeat = db.Cached(
            "INSERT INTO nodes (id, alive_until) VALUES (?1, ?2) "
            "ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until");
        if (!heartbeat) return heartbeat.error();
        (*heartbeat)->Bind(1, owner).Bind(2, ToUnixMs(lease_until));
        if (auto ran = (*heartbeat)->Run(); !ran) return ran.error();
        auto update = db.Cached(
            "UPDATE runs SET lease_expires_at = ? WHERE state = 'running' AND lease_owner = ? "
            "RETURNING id, cancel_requested_at IS NOT NULL");
        if (!update) return update.error();
        (*update)->Bind(1, ToUnixMs(lease_until)).Bind(2, owner);
        std::vector<core::RunId> cancel_requested;
        for (;;) {
          auto row = (*update)->Step();
          if (!row) return row.error();
          if (!*row) break;
          if ((*update)->ColumnInt(1) != 0) cancel_requested.push_back((*update)->ColumnInt(0));
        }
        return cancel_requested;
      },
      std::move(done));
}

void SqliteJobStore::RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                                          std::function<void(core::Result<std::size_t>)> done) {
  writer_->Submit<std::size_t>(
      [now, live_owner, all_other_owners](SqliteConnection& db) -> core::Result<std::size_t> {
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
            "WHERE state = 'running' AND (lease_expires_at < ?1 OR (?2 AND lease_owner IS NOT ?3))");
        if (!update) return update.error();
        (*update)->Bind(1, ToUnixMs(now)).Bind(2, std::int64_t{all_other_owners ? 1 : 0}).Bind(3, live_owner);
        if (auto ran = (*update)->Run(); !ran) return ran.error();
        return static_cast<std::size_t>(db.Changes());
      },
      [this, done = std::move(done)](core::Result<std::size_t> requeued) {
        if (requeued && *requeued > 0) PublishRunsQueued();
        done(std::move(requeued));
      });
}

void SqliteJobStore::ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                                 std::function<void(core::Result<void>)> done) {
  writer_->Submit<bool>(
      [owner, run_ids = std::move(run_ids), now](SqliteConnection& db) -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, "
            "state = CASE WHEN cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END, "
            "finished_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE ?3 END, "
            "error = CASE WHEN cancel_requested_at IS NULL THEN error ELSE 'cancelled by request' END, "
            "started_at = CASE WHEN cancel_requested_at IS NULL THEN NULL ELSE started_at END "
            "WHERE id = ?1 AND state = 'running' AND lease_owner = ?2");
        if (!update) return update.error();
        std::int64_t released = 0;
        for (const core::RunId id : run_ids) {
          (*update)->Reset().Bind(1, id).Bind(2, owner).Bind(3, ToUnixMs(now));
          if (auto ran = (*update)->Run(); !ran) return ran.error();
          released += db.Changes();
        }
        return released > 0;
      },
      [this, done = std::move(done)](core::Result<bool> released) {
        if (!released) return done(released.error());
        if (*released) PublishRunsQueued();
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
