#include "store/sqlite/sqlite_job_store.hpp"

#include <sys/stat.h>

#include <utility>

#include "codec/alert_rule_codec.hpp"
#include "codec/labels_codec.hpp"
#include "codec/retry_codec.hpp"
#include "codec/task_codec.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_job_snapshots.hpp"
#include "store/sqlite/sqlite_memory.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

// '' for the default policy: most jobs have it, and reading a job back then
// skips a JSON parse (it showed in the claim path of the fire benchmark).
std::string RetryColumn(const core::RetryPolicy& retry) {
  return retry == core::RetryPolicy{} ? std::string() : codec::EncodeRetryPolicy(retry);
}

core::Result<int> CurrentVersion(SqliteConnection& db) {
  auto statement = db.Cached("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const int version = static_cast<int>((*statement)->ColumnInt(0));
  return version;
}

core::Result<int> ApplyMigrations(SqliteConnection& db) {
  if (auto created = db.Execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      !created) {
    return created.error();
  }
  for (const Migration& migration : SqliteMigrations()) {
    // Check inside the transaction, so two processes migrating at once
    // cannot both apply the same step.
    if (auto begun = db.Execute("BEGIN IMMEDIATE"); !begun) return begun.error();
    auto current = CurrentVersion(db);
    if (!current) {
      (void)db.Execute("ROLLBACK");
      return current.error();
    }
    if (*current >= migration.version) {
      (void)db.Execute("ROLLBACK");
      continue;
    }
    auto applied = db.Execute(migration.sql);
    if (applied) {
      auto record = db.Cached(
          "INSERT INTO schema_migrations (version, name, applied_at) "
          "VALUES (?, ?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))");
      if (!record) {
        applied = record.error();
      } else {
        applied = (*record)->Bind(1, std::int64_t{migration.version}).Bind(2, migration.name).Run();
      }
    }
    if (!applied) {
      (void)db.Execute("ROLLBACK");
      return core::Error::Internal("migration " + std::to_string(migration.version) + " (" +
                                   std::string(migration.name) + ") failed: " + applied.error().message);
    }
    if (auto committed = db.Execute("COMMIT"); !committed) return committed.error();
  }
  return CurrentVersion(db);
}

// The columns a job writes, in the order BindJobColumns binds them (1-24);
// INSERT and UPDATE share them so the two can never disagree.
constexpr std::string_view kWrittenColumns[] = {
    "name",      "schedule_kind", "schedule_expr", "start_at",          "end_at",       "task",
    "is_active", "last_run",      "next_run",      "updated_at",        "version",      "timeout_ms",
    "timezone",  "retry",         "misfire",       "catchup_window_ms", "overlap",      "jitter_ms",
    "namespace", "labels",        "paused_reason", "paused_at",         "paused_until", "alerts"};
constexpr int kWrittenColumnCount = 24;

void BindJobColumns(Statement& statement, const core::Job& job) {
  statement.Bind(1, job.name)
      .Bind(2, core::ToString(job.schedule.kind()))
      .Bind(3, job.schedule.expression())
      .Bind(4, OptionalMs(job.schedule.start_at()))
      .Bind(5, OptionalMs(job.schedule.end_at()))
      .Bind(6, job.task ? codec::EncodeTask(*job.task) : std::string())
      .Bind(7, std::int64_t{job.is_active ? 1 : 0})
      .Bind(8, OptionalMs(job.last_run))
      .Bind(9, OptionalMs(job.next_run))
      .Bind(10, ToUnixMs(job.updated_at))
      .Bind(11, job.version)
      .Bind(12, std::int64_t{job.timeout.count()})
      .Bind(14, RetryColumn(job.retry))
      .Bind(15, core::ToString(job.misfire))
      .Bind(16, std::int64_t{job.catchup_window.count()})
      .Bind(17, core::ToString(job.overlap))
      .Bind(18, std::int64_t{job.jitter.count()})
      .Bind(19, job.namespace_name)
      .Bind(20, codec::EncodeLabels(job.labels))
      .Bind(22, OptionalMs(job.paused_at))
      .Bind(23, OptionalMs(job.paused_until));
  if (job.paused_reason) {
    statement.Bind(21, *job.paused_reason);
  } else {
    statement.BindNull(21);
  }
  if (job.alerts) {
    statement.Bind(24, codec::EncodeAlertRule(*job.alerts));
  } else {
    statement.BindNull(24);
  }
  if (job.schedule.timezone().empty()) {
    statement.BindNull(13);
  } else {
    statement.Bind(13, job.schedule.timezone());
  }
}

const std::string& InsertSql() {
  static const std::string sql = [] {
    std::string columns;
    std::string values;
    for (std::string_view column : kWrittenColumns) {
      columns += std::string(column) + ", ";
      values += "?, ";
    }
    // row_version (migration 0028) starts at 1: ids are never given twice
    // (AUTOINCREMENT), so no snapshot of an earlier row can share it.
    return "INSERT INTO jobs (" + columns + "created_at, row_version) VALUES (" + values + "?, 1)";
  }();
  return sql;
}

const std::string& UpdateSql() {
  static const std::string sql = [] {
    std::string assignments;
    for (std::string_view column : kWrittenColumns) {
      if (!assignments.empty()) assignments += ", ";
      assignments += std::string(column) + " = ?";
    }
    // A job that shared its name when names became unique (0015) is exempt
    // from the unique index until it gets a new name. The right-hand side
    // reads the row as it was, and ?1 is the new name.
    return "UPDATE jobs SET " + assignments + ", duplicate_name = (duplicate_name AND name = ?1)" +
           ", row_version = row_version + 1" + " WHERE id = ? AND version = ?";
  }();
  return sql;
}

core::Result<std::int64_t> PageSize(SqliteConnection& db) {
  auto statement = db.Cached("PRAGMA page_size");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const std::int64_t size = (*statement)->ColumnInt(0);
  return size;
}

core::Result<core::Job> InsertJob(SqliteConnection& db, core::Job job) {
  auto insert = db.Cached(InsertSql());
  if (!insert) return insert.error();
  BindJobColumns(**insert, job);
  (*insert)->Bind(kWrittenColumnCount + 1, ToUnixMs(job.created_at));
  if (auto done = (*insert)->Run(); !done) {
    return IsJobNameConflict(done.error()) ? JobNameTaken(job.name, job.namespace_name) : done.error();
  }
  job.id = db.LastInsertRowId();
  return job;
}

}  // namespace

core::Result<core::Job> WriteJob(SqliteConnection& db, const core::Job& job, std::int64_t read_version) {
  auto update = db.Cached(UpdateSql());
  if (!update) return update.error();
  Statement& statement = **update;
  BindJobColumns(statement, job);
  statement.Bind(kWrittenColumnCount + 1, job.id).Bind(kWrittenColumnCount + 2, read_version);
  if (auto done = statement.Run(); !done) {
    return IsJobNameConflict(done.error()) ? JobNameTaken(job.name, job.namespace_name) : done.error();
  }
  // Impossible inside the writer's transaction, which read the row just now;
  // kept as a guard should another process write this file.
  if (db.Changes() != 1) return core::Error::Conflict("job " + std::to_string(job.id) + " changed meanwhile");
  return job;
}

core::Result<std::unique_ptr<SqliteJobStore>> SqliteJobStore::Open(const SqliteOptions& options) {
  auto connection = SqliteConnection::Open(options.path, SqliteConnection::Mode::kReadWrite);
  if (!connection) return connection.error();
  if (auto version = ApplyMigrations(**connection); !version) return version.error();
  // A WAL left by a process that died (recovered by opening it) is copied
  // back and emptied before anything else reads or writes.
  if (auto emptied = (*connection)->Execute("PRAGMA wal_checkpoint(TRUNCATE)"); !emptied) return emptied.error();
  // Checkpoints run on their own connection (see SqliteCheckpointer), never
  // inside a commit of the writer.
  if (auto manual = (*connection)->Execute("PRAGMA wal_autocheckpoint = 0"); !manual) return manual.error();
  auto page_size = PageSize(**connection);
  if (!page_size) return page_size.error();
  auto wal = std::make_unique<WalState>(*page_size);
  auto checkpoint_connection = SqliteConnection::Open(options.path, SqliteConnection::Mode::kReadWrite);
  if (!checkpoint_connection) return checkpoint_connection.error();
  auto checkpointer =
      std::make_unique<SqliteCheckpointer>(std::move(checkpoint_connection).value(), options.checkpoint_interval, *wal);
  auto writer = std::make_unique<SqliteWriter>(std::move(connection).value(),
                                               SqliteWriterOptions{.max_batch = options.max_batch,
                                                                   .commit_spacing = options.commit_spacing,
                                                                   .commit_burst = options.commit_burst,
                                                                   .wal = options.wal,
                                                                   .before_commit = IndexNewJobs},
                                               *wal);
  std::unique_ptr<SqliteJobStore> store(
      new SqliteJobStore(options.path, options.clock, std::move(wal), std::move(writer), std::move(checkpointer)));
  store->limits_ = options.limits;
  // The migrations' memory, kept for reuse by this thread (SqliteMemory),
  // which may never use SQLite again: back to malloc.
  SqliteMemory::TrimThisThread();
  return store;
}

core::Result<int> SqliteJobStore::Migrate(const std::string& path) {
  auto connection = SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite);
  if (!connection) return connection.error();
  return ApplyMigrations(**connection);
}

SqliteJobStore::SqliteJobStore(std::string path, const core::Clock* clock, std::unique_ptr<WalState> wal,
                               std::unique_ptr<SqliteWriter> writer, std::unique_ptr<SqliteCheckpointer> checkpointer)
    : path_(path),
      clock_(clock),
      readers_(std::move(path)),
      wal_(std::move(wal)),
      checkpointer_(std::move(checkpointer)),
      writer_(std::move(writer)) {
  struct stat file {};
  if (::stat(path_.c_str(), &file) == 0) {
    file_device_ = static_cast<std::uint64_t>(file.st_dev);
    file_inode_ = static_cast<std::uint64_t>(file.st_ino);
  }
}

void SqliteJobStore::CreateJob(core::Job job, JobCallback done, Audit audit) {
  std::string job_namespace = job.namespace_name;
  writer_->Submit<core::Job>(
      [this, job = std::move(job), audit = std::move(audit)](SqliteConnection& db) mutable -> core::Result<core::Job> {
        const bool counted = limits_.max_jobs_per_namespace > 0;
        if (counted) {
          if (auto room = TakeNamespaceRoom(db, job.namespace_name); !room) return room.error();
        }
        const std::string job_namespace = job.namespace_name;
        auto created = InsertJob(db, std::move(job));
        if (created && audit) {
          auto entry = JobAuditEntry(*audit, core::audit_action::kJobCreated, created->id, created->namespace_name,
                                     nullptr, &*created);
          if (auto recorded = InsertAudit(db, entry); !recorded) created = recorded.error();
        }
        if (!created && counted) GiveBackNamespaceRoom(job_namespace);  // its savepoint is rolled back
        return created;
      },
      [this, job_namespace = std::move(job_namespace), done = std::move(done)](core::Result<core::Job> created) {
        // A conflict is this write's own refusal (the name taken, the quota
        // reached), which took no room or gave it back; any other failure
        // may be the commit's, after the count went up.
        const bool unknown = !created && created.error().code != core::ErrorCode::kConflict;
        if (unknown && limits_.max_jobs_per_namespace > 0) ForgetNamespaceCount(job_namespace);
        if (created) {
          PublishScheduled(*created);
          Publish({StoreChange::Job(StoreChange::Action::kCreated, created->id, created->namespace_name)});
        }
        done(std::move(created));
      });
}

void SqliteJobStore::PublishScheduled(const core::Job& job) {
  // A job paused until an instant is the scheduler's to resume then.
  if (!job.is_active && job.paused_until) return changes_.Publish(StoreChange::Scheduled(*job.paused_until));
  if (!job.is_active || !job.next_run) return;
  changes_.Publish(StoreChange::Scheduled(*job.next_run));
}

void SqliteJobStore::Publish(const std::vector<StoreChange>& changes) {
  for (const StoreChange& change : changes) changes_.Publish(change);
}

void SqliteJobStore::PublishRunsQueued() { changes_.Publish(StoreChange::RunsQueued()); }

void SqliteJobStore::UpdateJob(core::JobId id, JobChange change, JobCallback done, Audit audit) {
  writer_->Submit<core::Job>(
      [id, change = std::move(change), audit = std::move(audit)](SqliteConnection& db) -> core::Result<core::Job> {
        auto current = ReadJob(db, id);
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
      [this, id, done = std::move(done)](core::Result<core::Job> updated) {
        cache_.Invalidate(id);  // committed (or not): before anyone hears of it
        if (updated) {
          PublishScheduled(*updated);
          Publish({StoreChange::Job(StoreChange::Action::kUpdated, updated->id, updated->namespace_name)});
        }
        done(std::move(updated));
      });
}

void SqliteJobStore::DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                               std::function<void(core::Result<void>)> done, Audit audit) {
  auto job_namespace = std::make_shared<std::string>();  // written by the apply, read by the completion
  writer_->Submit<bool>(
      [this, id, check = std::move(check), job_namespace,
       audit = std::move(audit)](SqliteConnection& db) -> core::Result<bool> {
        auto current = ReadJob(db, id);
        if (!current) return current.error();
        if (auto allowed = check(*current); !allowed) return allowed.error();
        *job_namespace = current->namespace_name;
        // Its runs go with it (ON DELETE CASCADE).
        auto remove = db.Cached("DELETE FROM jobs WHERE id = ?");
        if (!remove) return remove.error();
        (*remove)->Bind(1, id);
        if (auto ran = (*remove)->Run(); !ran) return ran.error();
        if (audit) {
          auto entry =
              JobAuditEntry(*audit, core::audit_action::kJobDeleted, id, current->namespace_name, &*current, nullptr);
          if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
        }
        // Now, so that a create later in this transaction has the room.
        GiveBackNamespaceRoom(*job_namespace);
        return true;
      },
      [this, id, job_namespace, done = std::move(done)](const core::Result<bool>& deleted) {
        cache_.Invalidate(id);
        // A failed delete may have given room back before its commit failed.
        if (!deleted && !job_namespace->empty()) ForgetNamespaceCount(*job_namespace);
        if (!deleted) return done(deleted.error());
        Publish({StoreChange::Job(StoreChange::Action::kDeleted, id, *job_namespace)});
        done(core::Ok());
      });
}

core::Result<core::Job> SqliteJobStore::GetJob(core::JobId id) {
  auto snapshot = GetJobSnapshot(id);
  if (!snapshot) return snapshot.error();
  return (*snapshot)->job();
}

core::Result<std::shared_ptr<const JobSnapshot>> SqliteJobStore::GetJobSnapshot(core::JobId id) {
  if (auto cached = cache_.Find(id)) return cached;
  const std::uint64_t ticket = cache_.Ticket();  // before the read: see JobCache
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  return ReadJobSnapshot(**reader, id, cache_, ticket);
}

core::Result<void> SqliteJobStore::Ping() {
  struct stat file {};
  if (::stat(path_.c_str(), &file) != 0 || static_cast<std::uint64_t>(file.st_dev) != file_device_ ||
      static_cast<std::uint64_t>(file.st_ino) != file_inode_) {
    return core::Error::Unavailable("the database file " + path_ + " was removed or replaced while in use");
  }
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement = (**reader).Cached("SELECT max(version) FROM schema_migrations");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const std::int64_t version = (*statement)->ColumnInt(0);
  const int latest = LatestVersion(SqliteMigrations());
  // Behind this build: its migrations have not run (yet). Ahead is fine:
  // migrations only add, so during a rolling upgrade the nodes still on the
  // previous build keep serving on the newer schema.
  if (version < latest) {
    return core::Error::Unavailable("the database schema is at version " + std::to_string(version) +
                                    ", this build needs " + std::to_string(latest) + "; run jobsched migrate");
  }
  return core::Ok();
}

}  // namespace jobsched::store::sqlite
