// Migration 0019 on SQLite rebuilds the runs table (a CHECK cannot be
// altered): what an older database held must come through it unchanged.
// And 0024 counts the jobs such a database already has.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "store/migrations.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/temp_dir.hpp"

namespace jobsched::store::sqlite {
namespace {

constexpr int kBackfillVersion = 19;

class Database {
 public:
  explicit Database(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    Exec("PRAGMA foreign_keys = ON");  // as the store's connections have it
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << sql;
    sqlite3_free(error);
  }

  std::int64_t Int(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW) << sql;
    const std::int64_t value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

// A database as the build before backfill left it: every migration before
// 0019, one job, three runs (the newest pruned), attempts of one of them,
// and a paused job of another namespace.
void WriteOlderDatabase(const std::string& path) {
  Database db(path);
  db.Exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER "
      "NOT NULL)");
  for (const Migration& migration : SqliteMigrations()) {
    if (migration.version >= kBackfillVersion) continue;
    db.Exec("BEGIN");
    db.Exec(std::string(migration.sql));
    db.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(migration.version) + ", 'm', 0)");
    db.Exec("COMMIT");
  }
  db.Exec(
      "INSERT INTO jobs (id, name, schedule_kind, schedule_expr, created_at, updated_at) VALUES (1, 'a', 'interval', "
      "'hourly', 0, 0);"
      "INSERT INTO jobs (id, name, schedule_kind, schedule_expr, created_at, updated_at, is_active, namespace) "
      "VALUES (2, 'b', 'interval', 'hourly', 0, 0, 0, 'team-b');"
      "INSERT INTO runs (id, job_id, scheduled_for, trigger, state, attempt, created_at, jitter_ms) VALUES "
      "(1, 1, 3600000, 'schedule', 'succeeded', 2, 0, 5), (2, 1, 7200000, 'manual', 'queued', 1, 0, 0), "
      "(3, 1, 10800000, 'schedule', 'failed', 1, 0, 0);"
      "INSERT INTO run_attempts (run_id, attempt, state, error) VALUES (1, 1, 'failed', 'boom');"
      "DELETE FROM runs WHERE id = 3;");
}

TEST(SqliteBackfillMigration, KeepsRunsTheirAttemptsAndTheIdHighWaterMark) {
  jobsched::testing::TempDir dir;
  const std::string path = dir.File("old.db");
  WriteOlderDatabase(path);

  auto version = SqliteJobStore::Migrate(path);

  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_GE(*version, kBackfillVersion);
  Database db(path);
  EXPECT_EQ(db.Int("SELECT count(*) FROM runs"), 2);
  EXPECT_EQ(db.Int("SELECT jitter_ms FROM runs WHERE id = 1"), 5);
  EXPECT_EQ(db.Int("SELECT count(*) FROM run_attempts WHERE run_id = 1 AND error = 'boom'"), 1);
  // Run 3 was pruned: its id is not given again.
  db.Exec(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, created_at) VALUES (1, 1, 'backfill', 'queued', 0)");
  EXPECT_EQ(db.Int("SELECT max(id) FROM runs"), 4);
  // Deleting a run still deletes its attempts (the foreign key holds).
  db.Exec("DELETE FROM runs WHERE id = 1");
  EXPECT_EQ(db.Int("SELECT count(*) FROM run_attempts"), 0);
}

TEST(SqliteBackfillMigration, OneOccurrenceKeyForScheduleAndBackfillRuns) {
  jobsched::testing::TempDir dir;
  const std::string path = dir.File("old.db");
  WriteOlderDatabase(path);
  ASSERT_TRUE(SqliteJobStore::Migrate(path).ok());
  Database db(path);

  // 3600000 has a scheduled run: a backfill of it is refused, a manual run is not.
  db.Exec(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, created_at) VALUES (1, 3600000, 'backfill', "
      "'queued', 0) ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING;"
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, created_at) VALUES (1, 3600000, 'manual', "
      "'queued', 0);");

  EXPECT_EQ(db.Int("SELECT count(*) FROM runs WHERE scheduled_for = 3600000"), 2);
  EXPECT_EQ(db.Int("SELECT count(*) FROM runs WHERE trigger = 'backfill'"), 0);
  // And the index is still the WAL-friendly (scheduled_for, job_id) of 0014.
  EXPECT_EQ(db.Int("SELECT count(*) FROM pragma_index_info('runs_occurrence') WHERE seqno = 0 AND name = "
                   "'scheduled_for'"),
            1);
}

TEST(SqliteBackfillMigration, JobCountsStartFromTheJobsThereAre) {
  jobsched::testing::TempDir dir;
  const std::string path = dir.File("old.db");
  WriteOlderDatabase(path);
  ASSERT_TRUE(SqliteJobStore::Migrate(path).ok());
  Database db(path);

  EXPECT_EQ(db.Int("SELECT active * 10 + paused FROM job_counts WHERE namespace = 'default'"), 10);
  EXPECT_EQ(db.Int("SELECT active * 10 + paused FROM job_counts WHERE namespace = 'team-b'"), 1);
  // And the triggers go on from there.
  db.Exec("UPDATE jobs SET is_active = 1 WHERE id = 2");
  EXPECT_EQ(db.Int("SELECT active * 10 + paused FROM job_counts WHERE namespace = 'team-b'"), 10);
}

}  // namespace
}  // namespace jobsched::store::sqlite
