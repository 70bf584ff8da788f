#include "store/postgres/postgres_job_store.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "codec/retry_codec.hpp"
#include "codec/task_codec.hpp"
#include "store/postgres/pg_firing.hpp"
#include "store/postgres/pg_rows.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

// '' for the default policy, as in SQLite: reading a job back then skips a JSON parse.
std::string RetryColumn(const core::RetryPolicy& retry) {
  return retry == core::RetryPolicy{} ? std::string() : codec::EncodeRetryPolicy(retry);
}

// The columns a job writes, in the order JobParams adds them ($1-$16);
// INSERT and UPDATE share them so the two can never disagree.
constexpr std::string_view kWrittenColumns[] = {
    "name",      "schedule_kind", "schedule_expr", "start_at",   "end_at",     "task",
    "is_active", "last_run",      "next_run",      "updated_at", "version",    "timeout_ms",
    "timezone",  "retry",         "misfire",       "catchup_window_ms"};
constexpr int kWrittenColumnCount = 16;

PgParams JobParams(const core::Job& job) {
  PgParams params;
  params.Add(job.name)
      .Add(core::ToString(job.schedule.kind()))
      .Add(job.schedule.expression())
      .Add(OptionalMs(job.schedule.start_at()))
      .Add(OptionalMs(job.schedule.end_at()))
      .Add(job.task ? codec::EncodeTask(*job.task) : std::string())
      .Add(job.is_active)
      .Add(OptionalMs(job.last_run))
      .Add(OptionalMs(job.next_run))
      .Add(ToUnixMs(job.updated_at))
      .Add(job.version)
      .Add(std::int64_t{job.timeout.count()});
  if (job.schedule.timezone().empty()) {
    params.AddNull();
  } else {
    params.Add(job.schedule.timezone());
  }
  params.Add(RetryColumn(job.retry)).Add(core::ToString(job.misfire)).Add(std::int64_t{job.catchup_window.count()});
  return params;
}

const std::string& InsertSql() {
  static const std::string sql = [] {
    std::string columns;
    std::string values;
    int index = 1;
    for (std::string_view column : kWrittenColumns) {
      columns += std::string(column) + ", ";
      values += "$" + std::to_string(index++) + ", ";
    }
    return "INSERT INTO jobs (" + columns + "created_at) VALUES (" + values + "$" + std::to_string(index) +
           ") RETURNING id";
  }();
  return sql;
}

const std::string& UpdateSql() {
  static const std::string sql = [] {
    std::string assignments;
    int index = 1;
    for (std::string_view column : kWrittenColumns) {
      if (!assignments.empty()) assignments += ", ";
      assignments += std::string(column) + " = $" + std::to_string(index++);
    }
    return "UPDATE jobs SET " + assignments + " WHERE id = $" + std::to_string(kWrittenColumnCount + 1) +
           " AND version = $" + std::to_string(kWrittenColumnCount + 2);
  }();
  return sql;
}

core::Result<core::Job> InsertJob(PgConnection& db, core::Job job) {
  PgParams params = JobParams(job);
  params.Add(ToUnixMs(job.created_at));
  auto inserted = db.Query(InsertSql(), params);
  if (!inserted) return inserted.error();
  job.id = inserted->Int(0, 0);
  return job;
}

// How ReadJob locks the row for the rest of the writer's transaction, so
// that another node's change waits for ours instead of slipping in between
// our read and our write.
enum class RowLock {
  kNone,
  kForUpdate,  // FOR NO KEY UPDATE: the id stays, so runs may still be inserted meanwhile
  kForDelete,  // FOR UPDATE
};

core::Result<core::Job> ReadJob(PgConnection& db, core::JobId id, RowLock lock) {
  static const std::string kSelect = "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE jobs.id = $1";
  static const std::string kForUpdate = kSelect + " FOR NO KEY UPDATE";
  static const std::string kForDelete = kSelect + " FOR UPDATE";
  const std::string& sql = lock == RowLock::kNone ? kSelect : lock == RowLock::kForUpdate ? kForUpdate : kForDelete;
  auto selected = db.Query(sql, PgParams().Add(id));
  if (!selected) return selected.error();
  if (selected->rows() == 0) return core::Error::NotFound("job " + std::to_string(id) + " does not exist");
  return JobFromRow(*selected, 0);
}

core::Result<core::Job> WriteJob(PgConnection& db, const core::Job& job, std::int64_t read_version) {
  PgParams params = JobParams(job);
  params.Add(job.id).Add(read_version);
  auto updated = db.Query(UpdateSql(), params);
  if (!updated) return updated.error();
  // Impossible while we hold the row lock taken by ReadJob; kept as a guard.
  if (updated->affected() != 1) return core::Error::Conflict("job " + std::to_string(job.id) + " changed meanwhile");
  return job;
}

}  // namespace

PostgresJobStore::PostgresJobStore(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

void PostgresJobStore::CreateJob(core::Job job, JobCallback done) {
  database_->writer().Submit<core::Job>(
      [job = std::move(job)](PgConnection& db) mutable { return InsertJob(db, std::move(job)); }, std::move(done));
}

void PostgresJobStore::UpdateJob(core::JobId id, JobChange change, JobCallback done) {
  database_->writer().Submit<core::Job>(
      [id, change = std::move(change)](PgConnection& db) -> core::Result<core::Job> {
        auto current = ReadJob(db, id, RowLock::kForUpdate);
        if (!current) return current.error();
        auto changed = change(*current);
        if (!changed) return changed.error();
        changed->id = id;
        return WriteJob(db, *changed, current->version);
      },
      std::move(done));
}

void PostgresJobStore::DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                                 std::function<void(core::Result<void>)> done) {
  database_->writer().Submit<bool>(
      [id, check = std::move(check)](PgConnection& db) -> core::Result<bool> {
        auto current = ReadJob(db, id, RowLock::kForDelete);
        if (!current) return current.error();
        if (auto allowed = check(*current); !allowed) return allowed.error();
        // Its runs go with it (ON DELETE CASCADE).
        if (auto removed = db.Query("DELETE FROM jobs WHERE id = $1", PgParams().Add(id)); !removed) {
          return removed.error();
        }
        return true;
      },
      [done = std::move(done)](core::Result<bool> deleted) {
        if (!deleted) return done(deleted.error());
        done(core::Ok());
      });
}

void PostgresJobStore::TriggerJob(core::JobId id, core::TimePoint now,
                                  std::function<void(core::Result<core::Run>)> done) {
  database_->writer().Submit<core::Run>(
      [id, now](PgConnection& db) -> core::Result<core::Run> {
        // Inserting through the job row: no row, no run (and no foreign-key error).
        auto inserted = db.Query(
            "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at) "
            "SELECT id, $2, 'manual', 'queued', 1, $2 FROM jobs WHERE id = $1 RETURNING id",
            PgParams().Add(id).Add(ToUnixMs(now)));
        if (!inserted) return inserted.error();
        if (inserted->rows() == 0) return core::Error::NotFound("job " + std::to_string(id) + " does not exist");
        core::Run run;
        run.id = inserted->Int(0, 0);
        run.job_id = id;
        run.scheduled_for = now;
        run.trigger = core::RunTrigger::kManual;
        run.state = core::RunState::kQueued;
        run.created_at = now;
        return run;
      },
      std::move(done));
}

core::Result<core::Job> PostgresJobStore::GetJob(core::JobId id) {
  return database_->readers().Read<core::Job>(
      [id](PgConnection& db) { return ReadJob(db, id, RowLock::kNone); });
}

core::Result<std::vector<core::Job>> PostgresJobStore::ListJobs(const JobListQuery& query) {
  return database_->readers().Read<std::vector<core::Job>>(
      [&query](PgConnection& db) -> core::Result<std::vector<core::Job>> {
        static const std::string kSql =
            "SELECT " + std::string(kJobColumns) +
            " FROM jobs WHERE jobs.id > $1 AND ($2::boolean IS NULL OR jobs.is_active = $2::boolean)"
            " AND ($4::text IS NULL OR starts_with(jobs.name, $4::text))"
            " AND ($5::text IS NULL OR (jobs.task <> '' AND jobs.task::json ->> 'type' = $5::text))"
            " ORDER BY jobs.id LIMIT $3";
        PgParams params;
        params.Add(query.after_id.value_or(0));
        if (query.is_active) {
          params.Add(*query.is_active);
        } else {
          params.AddNull();
        }
        params.Add(static_cast<std::int64_t>(query.limit));
        if (query.name_prefix) {
          params.Add(*query.name_prefix);
        } else {
          params.AddNull();
        }
        if (query.task_type) {
          params.Add(*query.task_type);
        } else {
          params.AddNull();
        }
        auto selected = db.Query(kSql, params);
        if (!selected) return selected.error();
        return CollectRows<core::Job>(*selected, JobFromRow);
      });
}

core::Result<void> PostgresJobStore::Ping() {
  auto answered = database_->readers().Read<bool>([](PgConnection& db) -> core::Result<bool> {
    auto selected = db.Query("SELECT 1 FROM schema_migrations LIMIT 1");
    if (!selected) return selected.error();
    return true;
  });
  if (!answered) return answered.error();
  return core::Ok();
}

core::Result<std::optional<core::TimePoint>> PostgresJobStore::NextDueTime() {
  return database_->readers().Read<std::optional<core::TimePoint>>(
      [](PgConnection& db) -> core::Result<std::optional<core::TimePoint>> {
        auto selected = db.Query("SELECT min(next_run) FROM jobs WHERE is_active AND next_run IS NOT NULL");
        if (!selected) return selected.error();
        return OptionalTime(selected->OptionalInt(0, 0));
      });
}

void PostgresJobStore::FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner,
                                   std::function<void(core::Result<FireResult>)> done) {
  database_->writer().Submit<FireResult>(
      [now, limit, planner = std::move(planner)](PgConnection& db) { return FireDue(db, now, limit, planner); },
      std::move(done));
}

core::Result<core::Run> PostgresJobStore::GetRun(core::RunId id) {
  return database_->readers().Read<core::Run>([id](PgConnection& db) -> core::Result<core::Run> {
    static const std::string kSql = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE runs.id = $1";
    auto selected = db.Query(kSql, PgParams().Add(id));
    if (!selected) return selected.error();
    if (selected->rows() == 0) return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
    return RunFromRow(*selected, 0);
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
                                        " ORDER BY runs.id DESC LIMIT $3";
        PgParams params;
        params.Add(query.job_id)
            .Add(query.before_id.value_or(INT64_MAX))
            .Add(static_cast<std::int64_t>(query.limit));
        if (query.state) {
          params.Add(core::ToString(*query.state));
        } else {
          params.AddNull();
        }
        params.Add(OptionalMs(query.scheduled_from)).Add(OptionalMs(query.scheduled_until));
        auto selected = db.Query(kSql, params);
        if (!selected) return selected.error();
        return CollectRows<core::Run>(*selected, RunFromRow);
      });
}

}  // namespace jobsched::store::postgres
