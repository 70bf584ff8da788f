#include "store/postgres/pg_migrate.hpp"

#include <string>

#include "store/migrations.hpp"

namespace jobsched::store::postgres {
namespace {

// The lock is per schema, so databases (or test schemas) do not wait for each other.
constexpr const char* kLockKey = "hashtext('jobsched migrate ' || current_schema())";

core::Result<int> CurrentVersion(PgConnection& db) {
  auto version = db.Query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version) return version.error();
  return static_cast<int>(version->Int(0, 0));
}

core::Result<void> ApplyOne(PgConnection& db, const Migration& migration) {
  if (auto begun = db.Execute("BEGIN"); !begun) return begun.error();
  auto current = CurrentVersion(db);
  if (!current || *current >= migration.version) {
    (void)db.Execute("ROLLBACK");
    if (!current) return current.error();
    return core::Ok();
  }
  // DDL is transactional in PostgreSQL: a failing step leaves no trace.
  auto applied = db.Execute(migration.sql);
  if (applied) {
    auto recorded = db.Query(
        "INSERT INTO schema_migrations (version, name, applied_at) "
        "VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
        PgParams().Add(std::int64_t{migration.version}).Add(migration.name));
    if (!recorded) applied = recorded.error();
  }
  if (!applied) {
    (void)db.Execute("ROLLBACK");
    core::Error error = applied.error();
    error.message = "migration " + std::to_string(migration.version) + " (" + std::string(migration.name) +
                    ") failed: " + error.message;
    return error;
  }
  return db.Execute("COMMIT");
}

}  // namespace

core::Result<int> ApplyMigrations(PgConnection& db) {
  if (auto locked = db.Execute(std::string("SELECT pg_advisory_lock(") + kLockKey + ")"); !locked) {
    return locked.error();
  }
  core::Result<void> done = db.Execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)");
  for (const Migration& migration : PostgresMigrations()) {
    if (!done) break;
    done = ApplyOne(db, migration);
  }
  core::Result<int> version = done ? CurrentVersion(db) : core::Result<int>(done.error());
  // Also released when the connection closes, should this fail.
  (void)db.Execute(std::string("SELECT pg_advisory_unlock(") + kLockKey + ")");
  return version;
}

}  // namespace jobsched::store::postgres
