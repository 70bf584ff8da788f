#include "store/postgres/postgres_job_store.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "codec/alert_rule_codec.hpp"
#include "codec/labels_codec.hpp"
#include "codec/retry_codec.hpp"
#include "codec/task_codec.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_events.hpp"
#include "store/postgres/pg_limits.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

// '' for the default policy, as in SQLite: reading a job back then skips a JSON parse.
std::string RetryColumn(const core::RetryPolicy& retry) {
  return retry == core::RetryPolicy{} ? std::string() : codec::EncodeRetryPolicy(retry);
}

// The columns a job writes, in the order JobParams adds them ($1-$24);
// INSERT and UPDATE share them so the two can never disagree.
constexpr std::string_view kWrittenColumns[] = {
    "name",      "schedule_kind", "schedule_expr", "start_at",          "end_at",       "task",
    "is_active", "last_run",      "next_run",      "updated_at",        "version",      "timeout_ms",
    "timezone",  "retry",         "misfire",       "catchup_window_ms", "overlap",      "jitter_ms",
    "namespace", "labels",        "paused_reason", "paused_at",         "paused_until", "alerts"};
constexpr int kWrittenColumnCount = 24;

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
  params.Add(RetryColumn(job.retry))
      .Add(core::ToString(job.misfire))
      .Add(std::int64_t{job.catchup_window.count()})
      .Add(core::ToString(job.overlap))
      .Add(std::int64_t{job.jitter.count()})
      .Add(job.namespace_name)
      .Add(codec::EncodeLabels(job.labels));
  if (job.paused_reason) {
    params.Add(*job.paused_reason);
  } else {
    params.AddNull();
  }
  params.Add(OptionalMs(job.paused_at)).Add(OptionalMs(job.paused_until));
  if (job.alerts) {
    params.Add(codec::EncodeAlertRule(*job.alerts));
  } else {
    params.AddNull();
  }
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
    // A job that shared its name when names became unique (0015) is exempt
    // from the unique index until it gets a new name. The right-hand side
    // reads the row as it was, and $1 is the new name.
    return "UPDATE jobs SET " + assignments + ", duplicate_name = (duplicate_name AND name = $1)" + " WHERE id = $" +
           std::to_string(kWrittenColumnCount + 1) + " AND version = $" + std::to_string(kWrittenColumnCount + 2);
  }();
  return sql;
}

// Tells every node's scheduler (through PgListener) when the job is due
// next, so one sleeping past that time wakes up; sent when the write commits.
core::Result<void> NotifyNextRun(PgConnection& db, const core::Job& job) {
  // A job paused until an instant is the schedulers' to resume then.
  if (!job.is_active && job.paused_until) {
    return Notify(db, kJobsChannel, std::to_string(core::ToUnixMs(*job.paused_until)));
  }
  if (!job.is_active || !job.next_run) return core::Ok();
  return Notify(db, kJobsChannel, std::to_string(core::ToUnixMs(*job.next_run)));
}

core::Result<core::Job> InsertJob(PgConnection& db, core::Job job) {
  PgParams params = JobParams(job);
  params.Add(ToUnixMs(job.created_at));
  auto inserted = db.Query(InsertSql(), params);
  if (!inserted) {
    return IsJobNameConflict(inserted.error()) ? JobNameTaken(job.name, job.namespace_name) : inserted.error();
  }
  job.id = inserted->Int(0, 0);
  if (auto notified = NotifyNextRun(db, job); !notified) return notified.error();
  if (auto notified = NotifyEvents(db, {StoreChange::Job(StoreChange::Action::kCreated, job.id, job.namespace_name)});
      !notified) {
    return notified.error();
  }
  return job;
}

}  // namespace

core::Result<core::Job> WriteJob(PgConnection& db, const core::Job& job, std::int64_t read_version) {
  PgParams params = JobParams(job);
  params.Add(job.id).Add(read_version);
  auto updated = db.Query(UpdateSql(), params);
  if (!updated) {
    return IsJobNameConflict(updated.error()) ? JobNameTaken(job.name, job.namespace_name) : updated.error();
  }
  // Impossible while we hold the row lock taken by ReadJob; kept as a guard.
  if (updated->affected() != 1) return core::Error::Conflict("job " + std::to_string(job.id) + " changed meanwhile");
  if (auto notified = NotifyNextRun(db, job); !notified) return notified.error();
  if (auto notified = NotifyEvents(db, {StoreChange::Job(StoreChange::Action::kUpdated, job.id, job.namespace_name)});
      !notified) {
    return notified.error();
  }
  return job;
}

PostgresJobStore::PostgresJobStore(std::shared_ptr<PgDatabase> database, StoreLimits limits)
    : database_(std::move(database)), limits_(limits) {}

void PostgresJobStore::CreateJob(core::Job job, JobCallback done, Audit audit) {
  database_->writer().Submit<core::Job>(
      [job = std::move(job), max_jobs = limits_.max_jobs_per_namespace,
       audit = std::move(audit)](PgConnection& db) mutable -> core::Result<core::Job> {
        if (auto room = CheckNamespaceRoom(db, job.namespace_name, max_jobs); !room) return room.error();
        auto created = InsertJob(db, std::move(job));
        if (created && audit) {
          auto entry = JobAuditEntry(*audit, core::audit_action::kJobCreated, created->id, created->namespace_name,
                                     nullptr, &*created);
          if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
        }
        return created;
      },
      std::move(done));
}

void PostgresJobStore::UpdateJob(core::JobId id, JobChange change, JobCallback done, Audit audit) {
  database_->writer().Submit<core::Job>(
      [id, change = std::move(change), audit = std::move(audit)](PgConnection& db) -> core::Result<core::Job> {
        auto current = ReadJob(db, id, RowLock::kForUpdate);
        if (!current) return current.error();
        auto changed = change(*current);
        if (!changed) return changed.error();
        changed->id = id;
        auto written = WriteJob(db, *changed, current->version);
        if (written && audit) {
          auto entry = JobAuditEntry(*audit, audit->action, id, current->namespace_name, &*current, &*written);
          if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
        }
        return written;
      },
      std::move(done));
}

void PostgresJobStore::DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                                 std::function<void(core::Result<void>)> done, Audit audit) {
  database_->writer().Submit<bool>(
      [id, check = std::move(check), audit = std::move(audit)](PgConnection& db) -> core::Result<bool> {
        auto current = ReadJob(db, id, RowLock::kForDelete);
        if (!current) return current.error();
        if (auto allowed = check(*current); !allowed) return allowed.error();
        // Its runs go with it (ON DELETE CASCADE).
        if (auto removed = db.Query("DELETE FROM jobs WHERE id = $1", PgParams().Add(id)); !removed) {
          return removed.error();
        }
        if (auto notified =
                NotifyEvents(db, {StoreChange::Job(StoreChange::Action::kDeleted, id, current->namespace_name)});
            !notified) {
          return notified.error();
        }
        if (audit) {
          auto entry =
              JobAuditEntry(*audit, core::audit_action::kJobDeleted, id, current->namespace_name, &*current, nullptr);
          if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
        }
        return true;
      },
      [done = std::move(done)](const core::Result<bool>& deleted) {
        if (!deleted) return done(deleted.error());
        done(core::Ok());
      });
}

core::Result<core::Job> PostgresJobStore::GetJob(core::JobId id) {
  return database_->readers().Read<core::Job>([id](PgConnection& db) { return ReadJob(db, id, RowLock::kNone); });
}

core::Result<void> PostgresJobStore::Ping() {
  auto version = database_->readers().Read<std::int64_t>([](PgConnection& db) -> core::Result<std::int64_t> {
    auto selected = db.Query("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!selected) return selected.error();
    return selected->Int(0, 0);
  });
  if (!version) return version.error();
  const int latest = LatestVersion(PostgresMigrations());
  // Behind this build: its migrations have not run (yet). Ahead is fine:
  // migrations only add, so during a rolling upgrade the nodes still on the
  // previous build keep serving on the newer schema.
  if (*version < latest) {
    return core::Error::Unavailable("the database schema is at version " + std::to_string(*version) +
                                    ", this build needs " + std::to_string(latest) + "; run jobsched migrate");
  }
  return core::Ok();
}

}  // namespace jobsched::store::postgres
