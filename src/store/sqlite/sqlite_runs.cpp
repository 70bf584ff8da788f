// The scheduling half of SqliteJobStore: firing due jobs, the run queue with
// its leases, and run history.
#include <string>

#include "store/sqlite/sqlite_job_store.hpp"
#include "store/run_output.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

core::Result<std::size_t> FireOneJob(SqliteConnection& db, const core::Job& job, const core::FirePlan& plan,
                                     core::TimePoint now) {
  auto insert = db.Cached(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at) "
      "VALUES (?, ?, 'schedule', 'queued', 1, ?) "
      "ON CONFLICT (job_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING");
  if (!insert) return insert.error();
  std::size_t created = 0;
  for (const core::TimePoint occurrence : plan.occurrences) {
    (*insert)->Reset().Bind(1, job.id).Bind(2, ToUnixMs(occurrence)).Bind(3, ToUnixMs(now));
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
      (*skip)->Reset().Bind(1, job.id).Bind(2, ToUnixMs(skipped.scheduled_for)).Bind(3, ToUnixMs(now)).Bind(
          4, skipped.reason);
      if (auto done = (*skip)->Run(); !done) return done.error();
    }
  }
  // Compare-and-set on next_run: if anything moved the job meanwhile, the
  // advance is not ours to make.
  auto advance = db.Cached(
      "UPDATE jobs SET next_run = ?, last_run = coalesce(?, last_run) WHERE id = ? AND next_run = ?");
  if (!advance) return advance.error();
  (*advance)->Bind(1, OptionalMs(plan.next_run))
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
  writer_->Submit<FireResult>(
      [now, limit, planner = std::move(planner)](SqliteConnection& db) -> core::Result<FireResult> {
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
          auto created = FireOneJob(db, job, planner(job, now), now);
          if (!created) return created.error();
          result.runs_created += *created;
          ++result.jobs_fired;
        }
        return result;
      },
      std::move(done));
}

core::Result<core::Run> SqliteJobStore::GetRun(core::RunId id) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kSql = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE runs.id = ?";
  auto statement = (**reader).Cached(kSql);
  if (!statement) return statement.error();
  (*statement)->Bind(1, id);
  auto row = (*statement)->Step();
  if (!row) return row.error();
  if (!*row) return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
  auto run = RunFromRow(**statement);
  return run;
}

core::Result<std::vector<core::Run>> SqliteJobStore::ListRuns(const RunListQuery& query) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kSql = "SELECT " + std::string(kRunColumns) +
                                  " FROM runs WHERE (?1 IS NULL OR runs.job_id = ?1) AND runs.id < ?2"
                                  " AND (?4 IS NULL OR runs.state = ?4)"
                                  " AND (?5 IS NULL OR runs.scheduled_for >= ?5)"
                                  " AND (?6 IS NULL OR runs.scheduled_for < ?6)"
                                  " ORDER BY runs.id DESC LIMIT ?3";
  auto statement = (**reader).Cached(kSql);
  if (!statement) return statement.error();
  (*statement)->Bind(1, query.job_id)
      .Bind(2, query.before_id.value_or(INT64_MAX))
      .Bind(3, static_cast<std::int64_t>(query.limit))
      .Bind(5, OptionalMs(query.scheduled_from))
      .Bind(6, OptionalMs(query.scheduled_until));
  if (query.state) (*statement)->Bind(4, core::ToString(*query.state));
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
            "WHERE id IN (SELECT id FROM runs WHERE state = 'queued' AND (available_at IS NULL OR available_at <= ?3) "
            "ORDER BY id LIMIT ?4) RETURNING id";
        auto claim = db.Cached(kClaim);
        if (!claim) return claim.error();
        (*claim)->Bind(1, owner).Bind(2, ToUnixMs(lease_until)).Bind(3, ToUnixMs(now)).Bind(4,
                                                                                         static_cast<std::int64_t>(limit));
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
          auto job = JobFromRow(**load, 12);  // the job's columns follow the run's 12
          if (!job) return job.error();
          claimed.push_back(ClaimedRun{std::move(run).value(), job->name, job->task, job->timeout, job->retry});
        }
        return claimed;
      },
      std::move(done));
}

void SqliteJobStore::FinishRun(const std::string& owner, RunCompletion completion,
                               std::function<void(core::Result<void>)> done) {
  writer_->Submit<bool>(
      [owner, completion = std::move(completion)](SqliteConnection& db) mutable -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET state = ?1, finished_at = ?2, duration_ms = ?2 - coalesce(started_at, ?2), "
            "output = ?3, error = ?4, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = ?5 AND state = 'running' AND lease_owner = ?6");
        if (!update) return update.error();
        (*update)->Bind(1, core::ToString(completion.state))
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
      [owner, failed_attempt = std::move(failed_attempt), available_at](SqliteConnection& db) mutable
      -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET state = 'queued', attempt = attempt + 1, available_at = ?1, output = ?2, error = ?3, "
            "started_at = NULL, finished_at = NULL, duration_ms = NULL, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = ?4 AND state = 'running' AND lease_owner = ?5");
        if (!update) return update.error();
        (*update)->Bind(1, ToUnixMs(available_at))
            .Bind(2, CapRunOutput(std::move(failed_attempt.output)))
            .Bind(3, CapRunOutput(std::move(failed_attempt.error)))
            .Bind(4, failed_attempt.run_id)
            .Bind(5, owner);
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
                                 std::function<void(core::Result<void>)> done) {
  writer_->Submit<bool>(
      [owner, lease_until](SqliteConnection& db) -> core::Result<bool> {
        auto update = db.Cached("UPDATE runs SET lease_expires_at = ? WHERE state = 'running' AND lease_owner = ?");
        if (!update) return update.error();
        (*update)->Bind(1, ToUnixMs(lease_until)).Bind(2, owner);
        if (auto ran = (*update)->Run(); !ran) return ran.error();
        return true;
      },
      [done = std::move(done)](core::Result<bool> renewed) {
        if (!renewed) return done(renewed.error());
        done(core::Ok());
      });
}

void SqliteJobStore::RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                                          std::function<void(core::Result<std::size_t>)> done) {
  writer_->Submit<std::size_t>(
      [now, live_owner, all_other_owners](SqliteConnection& db) -> core::Result<std::size_t> {
        auto update = db.Cached(
            "UPDATE runs SET state = 'queued', attempt = attempt + 1, lease_owner = NULL, "
            "lease_expires_at = NULL, started_at = NULL "
            "WHERE state = 'running' AND (lease_expires_at < ?1 OR (?2 AND lease_owner IS NOT ?3))");
        if (!update) return update.error();
        (*update)->Bind(1, ToUnixMs(now)).Bind(2, std::int64_t{all_other_owners ? 1 : 0}).Bind(3, live_owner);
        if (auto ran = (*update)->Run(); !ran) return ran.error();
        return static_cast<std::size_t>(db.Changes());
      },
      std::move(done));
}

void SqliteJobStore::ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids,
                                 std::function<void(core::Result<void>)> done) {
  writer_->Submit<bool>(
      [owner, run_ids = std::move(run_ids)](SqliteConnection& db) -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE runs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL "
            "WHERE id = ? AND state = 'running' AND lease_owner = ?");
        if (!update) return update.error();
        for (const core::RunId id : run_ids) {
          (*update)->Reset().Bind(1, id).Bind(2, owner);
          if (auto ran = (*update)->Run(); !ran) return ran.error();
        }
        return true;
      },
      [done = std::move(done)](core::Result<bool> released) {
        if (!released) return done(released.error());
        done(core::Ok());
      });
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
