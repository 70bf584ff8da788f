// What only the SQLite store has: WAL, its checkpointer, a file. The
// behaviour every store shares is in the contract suites
// (job_store_contract_test.cpp, run_queue_contract_test.cpp).
#include "store/sqlite/sqlite_job_store.hpp"

#include <sys/stat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "core/job_validation.hpp"
#include "store/migrations.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::sqlite {
namespace {

using jobsched::testing::At;

JobListQuery Page(std::size_t limit, std::optional<core::JobId> after_id = std::nullopt,
                  std::optional<bool> is_active = std::nullopt) {
  JobListQuery query;
  query.limit = limit;
  query.after_id = after_id;
  query.is_active = is_active;
  return query;
}

core::Job MakeJob(const std::string& name, const std::string& interval = "weekly", bool active = true) {
  core::JobRequest request;
  request.name = name;
  request.interval = interval;
  request.is_active = active;
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

class SqliteJobStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteJobStore> OpenStore() {
    auto store = SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return std::move(store).value();
  }

  jobsched::testing::TempDir dir_;
};

TEST_F(SqliteJobStoreTest, DatabaseIsInWalModeWithFullSync) {
  auto store = OpenStore();

  sqlite3* observer = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &observer), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(observer, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  const std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(observer);

  EXPECT_EQ(mode, "wal");
}

TEST_F(SqliteJobStoreTest, NoConnectionPinsTheWalSoCheckpointsComplete) {
  auto store = OpenStore();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("job " + std::to_string(i))).ok());
  ASSERT_TRUE(store->GetJob(1).ok());
  ASSERT_TRUE(store->ListJobs(Page(10)).ok());
  ASSERT_TRUE(store->Ping().ok());

  sqlite3* observer = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &observer), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(observer, "PRAGMA wal_checkpoint(PASSIVE)", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  const int log_frames = sqlite3_column_int(statement, 1);
  const int checkpointed_frames = sqlite3_column_int(statement, 2);
  sqlite3_finalize(statement);
  sqlite3_close(observer);

  EXPECT_GT(log_frames, 0);
  EXPECT_EQ(checkpointed_frames, log_frames);
}

TEST_F(SqliteJobStoreTest, MigrateIsIdempotentAndCreatesTheRunsTable) {
  const std::string path = dir_.File("jobs.db");

  auto first = SqliteJobStore::Migrate(path);
  auto second = SqliteJobStore::Migrate(path);

  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_GE(*first, 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // The runs table refuses a second run of the same scheduled occurrence.
  EXPECT_EQ(sqlite3_exec(db,
                         "INSERT INTO jobs (name, schedule_kind, schedule_expr, created_at, updated_at)"
                         " VALUES ('j', 'interval', 'hourly', 0, 0);"
                         "INSERT INTO runs (job_id, scheduled_for, created_at) VALUES (1, 1000, 0);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "INSERT INTO runs (job_id, scheduled_for, created_at) VALUES (1, 1000, 0);", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

// GET /jobs?is_active=false with 1 job in 1,000 paused read about 100,000
// rows for a page at 1,000,000 jobs: the paused filter, written as ListJobs
// writes it (a literal), is served by migration 0025's index in id order.
TEST_F(SqliteJobStoreTest, ThePausedFilterReadsThePausedJobsIndex) {
  const std::string path = dir_.File("plan.db");
  ASSERT_TRUE(SqliteJobStore::Migrate(path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* plan = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE 1 AND jobs.is_active = 0 AND jobs.id > 5 "
                               "ORDER BY jobs.id DESC LIMIT 101",
                               -1, &plan, nullptr),
            SQLITE_OK);
  std::string steps;
  while (sqlite3_step(plan) == SQLITE_ROW) steps += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
  sqlite3_finalize(plan);
  sqlite3_close(db);
  EXPECT_NE(steps.find("jobs_paused"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
}

// A list takes the job cache's snapshot of a row it reads again unchanged (with the API's
// encoded form on it), and decodes a row whose bytes differ from the snapshot's, whatever the
// cache holds. The row is changed here behind the store's back, as no write of the store would
// leave it (they all invalidate): only the comparison of the row's bytes can notice.
TEST_F(SqliteJobStoreTest, AListTakesTheCachedSnapshotOfAnUnchangedRowAndDecodesAChangedOne) {
  auto store = OpenStore();
  const auto created = CreateJobAndWait(*store, MakeJob("first"));
  ASSERT_TRUE(created.ok());
  auto cached = store->GetJobSnapshot(created->id);
  ASSERT_TRUE(cached.ok());

  auto listed = store->ListJobSnapshots(Page(10));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front(), *cached);  // the same snapshot: nothing decoded or encoded again

  sqlite3* outside = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &outside), SQLITE_OK);
  sqlite3_busy_timeout(outside, 5000);
  ASSERT_EQ(sqlite3_exec(outside, "UPDATE jobs SET name = 'changed behind its back'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(outside);

  listed = store->ListJobSnapshots(Page(10));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_NE(listed->front(), *cached);
  EXPECT_EQ(listed->front()->job().name, "changed behind its back");
  EXPECT_EQ(store->ListJobs(Page(10))->front().name, "changed behind its back");
}

// A row inserted again under an id a snapshot was taken of (by hand: the
// service never gives an id twice) gets a fresh row_version, even when it
// brings the old one along, so a list cannot take the old row's snapshot.
TEST_F(SqliteJobStoreTest, AListDoesNotTakeTheSnapshotOfARowInsertedAgainUnderItsId) {
  auto store = OpenStore();
  const auto created = CreateJobAndWait(*store, MakeJob("first"));
  ASSERT_TRUE(created.ok());
  sqlite3* outside = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &outside), SQLITE_OK);
  sqlite3_busy_timeout(outside, 5000);
  // A row from before migration 0028 has row_version 0.
  ASSERT_EQ(sqlite3_exec(outside, "UPDATE jobs SET row_version = 0", nullptr, nullptr, nullptr), SQLITE_OK);
  auto listed = store->ListJobSnapshots(Page(10));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front()->job().name, "first");
  EXPECT_EQ(store->ListJobSnapshots(Page(10))->front(), listed->front());  // kept: the next list takes it

  ASSERT_EQ(sqlite3_exec(outside,
                         "CREATE TEMP TABLE old_row AS SELECT * FROM jobs; DELETE FROM jobs; "
                         "UPDATE old_row SET name = 'inserted again'; INSERT INTO jobs SELECT * FROM old_row",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(outside);

  listed = store->ListJobSnapshots(Page(10));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front()->job().id, created->id);
  EXPECT_EQ(listed->front()->job().name, "inserted again");
}

// The row_version trigger (migration 0028) names the columns whose change it
// notices: every column but the scheduler's two and the version itself. A
// migration that adds a column to jobs and forgets the trigger fails here.
TEST_F(SqliteJobStoreTest, TheRowVersionTriggerWatchesEveryColumnButTheSchedulersTwo) {
  auto store = OpenStore();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &db), SQLITE_OK);
  auto column_texts = [db](const char* sql) {
    std::vector<std::string> texts;
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      texts.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
    sqlite3_finalize(statement);
    return texts;
  };
  const auto columns = column_texts("SELECT name FROM pragma_table_info('jobs')");
  const auto trigger = column_texts("SELECT sql FROM sqlite_master WHERE name = 'jobs_row_version_update'");
  sqlite3_close(db);
  ASSERT_EQ(trigger.size(), 1u);
  const std::string& sql = trigger.front();
  const std::string watched = sql.substr(sql.find("UPDATE OF"), sql.find(" ON jobs") - sql.find("UPDATE OF"));
  ASSERT_GT(columns.size(), 20u);
  for (const std::string& column : columns) {
    const bool named = (" " + watched + ",").find(" " + column + ",") != std::string::npos;
    const bool scheduler_or_version = column == "next_run" || column == "last_run" || column == "row_version";
    EXPECT_EQ(named, !scheduler_or_version) << column;
  }
}

// The namespace quota's count is kept on the writer thread; counting afresh
// walks the namespace's jobs. A refused create (the name taken) gives its
// room back instead of dropping the count. Rows inserted behind the store's
// back are what make a recount visible: the kept count does not see them.
TEST_F(SqliteJobStoreTest, ARefusedCreateGivesItsRoomBackInsteadOfHavingTheNamespaceCountedAgain) {
  auto opened = SqliteJobStore::Open({.path = dir_.File("jobs.db"), .limits = {.max_jobs_per_namespace = 3}});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = **opened;
  ASSERT_TRUE(CreateJobAndWait(store, MakeJob("a")).ok());  // counted: 1
  ASSERT_EQ(CreateJobAndWait(store, MakeJob("a")).error().code, core::ErrorCode::kConflict);

  sqlite3* outside = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &outside), SQLITE_OK);
  sqlite3_busy_timeout(outside, 5000);
  ASSERT_EQ(sqlite3_exec(outside,
                         "CREATE TEMP TABLE copies AS SELECT * FROM jobs; "
                         "UPDATE copies SET id = id + 100, name = 'outside 1'; INSERT INTO jobs SELECT * FROM copies; "
                         "UPDATE copies SET id = id + 100, name = 'outside 2'; INSERT INTO jobs SELECT * FROM copies",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(outside);
  ASSERT_EQ(store.ListJobs(Page(10))->size(), 3u);

  // Counted afresh, the namespace would hold 3 of 3 and refuse this one.
  EXPECT_TRUE(CreateJobAndWait(store, MakeJob("b")).ok());
}

// Issue #14: the database holds webhook secrets and was created 0644.
TEST_F(SqliteJobStoreTest, CreatesTheDatabaseItsWalAndShmForTheOwnerOnlyWhateverTheUmask) {
  const mode_t previous = ::umask(0);
  auto store = OpenStore();
  ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("written")).ok());  // the WAL has content
  ::umask(previous);

  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat status {};
    ASSERT_EQ(::stat(dir_.File(std::string("jobs.db") + suffix).c_str(), &status), 0) << suffix;
    EXPECT_EQ(status.st_mode & 07777, 0600u) << "jobs.db" << suffix;
  }
}

// Issue #14: a database that had keys before authentication was recorded
// must not open up when its last key is revoked after the upgrade.
TEST_F(SqliteJobStoreTest, AnUpgradedDatabaseThatEverHadAKeyRequiresAuthentication) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &db), SQLITE_OK);
  std::string before_0013 =
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT "
      "NULL);";
  for (const Migration& migration : SqliteMigrations()) {
    if (migration.version >= 13) break;
    before_0013 += std::string(migration.sql) + ";INSERT INTO schema_migrations VALUES (" +
                   std::to_string(migration.version) + ", '" + std::string(migration.name) + "', 0);";
  }
  before_0013 +=
      "INSERT INTO api_keys (name, role, namespace, token_hash, created_at, revoked_at) "
      "VALUES ('old', 'admin', 'default', '" +
      std::string(64, 'a') + "', 1000, 2000);";
  ASSERT_EQ(sqlite3_exec(db, before_0013.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto store = OpenStore();

  EXPECT_TRUE(store->AuthenticationRequired().value());
  EXPECT_TRUE(store->ActiveApiKeys()->empty());
}

TEST_F(SqliteJobStoreTest, OpeningAnUnwritablePathFailsAsUnavailable) {
  auto store = SqliteJobStore::Open({.path = dir_.File("missing-folder/jobs.db")});

  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace jobsched::store::sqlite
