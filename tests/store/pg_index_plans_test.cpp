// PostgreSQL's indexes under the scheduler's load. Statements that must find
// their rows through an index whatever PostgreSQL knows of the table: the
// scheduler's check for ended pauses (every pass) and the roll-up of ended
// runs (every finish), whose plans are kept from a connection's first call
// (migration 0030); and the job names' trigram index, which every firing
// updates (0031). The plan tests count the rows their transaction read
// (pg_stat_xact_user_tables): a plan that reads a table whole, by a
// sequential scan or into a hash join, reads thousands.
// Autovacuum is off for the tables: its ANALYZE would give the planner the
// statistics a new deployment lacks, and make the tests pass on the old code.
#include <gtest/gtest.h>

#include <string>

#include "core/job_validation.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/pg_pause.hpp"
#include "store/postgres/postgres_job_store.hpp"
#include "store/wait.hpp"
#include "testing/pg_test_schema.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::store::postgres {
namespace {

using jobsched::testing::At;

// Rows read from the tables the statements use, by sequential and index
// scans, since the session last reported its statistics, which it does only
// between transactions: hence each test reads it inside the one transaction
// it measures.
constexpr const char* kRowsRead =
    "SELECT coalesce(sum(seq_tup_read + idx_tup_fetch), 0) FROM pg_stat_xact_user_tables"
    " WHERE relid IN ('jobs'::regclass, 'runs'::regclass, 'failing_jobs'::regclass, 'run_stats'::regclass)";

// A migrated schema holding one job, created through the store; its id.
struct SchemaWithAJob {
  std::unique_ptr<jobsched::testing::PgTestSchema> schema;
  std::int64_t job_id = 0;
};

SchemaWithAJob MigratedSchemaWithAJob(bool own_database) {
  auto schema = own_database ? jobsched::testing::PgTestSchema::CreateInADatabaseOfItsOwn()
                             : jobsched::testing::PgTestSchema::Create();
  EXPECT_TRUE(schema.ok()) << schema.error().message;
  if (!schema.ok()) return {};
  auto database = PgDatabase::Open({.url = (*schema)->url()});  // migrates
  EXPECT_TRUE(database.ok()) << database.error().message;
  if (!database.ok()) return {};
  PostgresJobStore jobs(*database);
  core::JobRequest request;
  request.name = jobsched::testing::UniqueJobName();
  request.every = "1m";
  auto job = core::ValidateNewJob(request, At("2026-12-08T10:00:00Z"));
  EXPECT_TRUE(job.ok());
  auto created = CreateJobAndWait(jobs, *job);
  EXPECT_TRUE(created.ok());
  EXPECT_TRUE((*schema)
                  ->Execute("ALTER TABLE jobs SET (autovacuum_enabled = false);"
                            "ALTER TABLE runs SET (autovacuum_enabled = false);"
                            "ALTER TABLE failing_jobs SET (autovacuum_enabled = false);"
                            "ALTER TABLE run_stats SET (autovacuum_enabled = false)")
                  .ok());
  return {std::move(*schema), created.ok() ? created->id : 0};
}

// SQL that adds `copies` copies of the schema's one job, under other ids and
// names, then updates every job's next_run `updates` times, as firings do
// (next_run is indexed, so no such update is HOT).
std::string CopiesOfTheJobUpdatedAsFiringsDo(int copies, int updates) {
  std::string sql =
      "INSERT INTO jobs OVERRIDING SYSTEM VALUE SELECT copy.* FROM jobs j, generate_series(1, " +
      std::to_string(copies) +
      ") g, jsonb_populate_record(j, jsonb_build_object('id', j.id + g, 'name', j.name || '-' || g)) copy;";
  for (int update = 0; update < updates; ++update) sql += "UPDATE jobs SET next_run = next_run + 1;";
  return sql;
}

// What the scheduler's jobs table looks like on a new deployment under
// load: thousands of jobs, each updated at every firing (next_run is
// indexed, so no update is HOT), and no statistics yet.
TEST(PgIndexPlans, TheSchedulersPauseCheckReadsNoTableWholeWithoutStatistics) {
  auto [schema, job_id] = MigratedSchemaWithAJob(/*own_database=*/false);
  ASSERT_NE(schema, nullptr);
  ASSERT_TRUE(schema
                  ->Execute(CopiesOfTheJobUpdatedAsFiringsDo(3000, 3) +
                            "UPDATE jobs SET is_active = false, paused_until = " +
                            std::to_string(core::ToUnixMs(At("2026-12-08T12:00:00Z"))) +
                            " WHERE id = " + std::to_string(job_id))
                  .ok());
  auto db = PgConnection::Open(schema->url());
  ASSERT_TRUE(db.ok()) << db.error().message;
  ASSERT_TRUE((*db)->Execute("BEGIN").ok());

  auto before_the_end = AnyPauseEnded(**db, At("2026-12-08T11:59:59Z"));
  auto at_the_end = AnyPauseEnded(**db, At("2026-12-08T12:00:00Z"));
  auto rows_read = (*db)->Query(kRowsRead);

  ASSERT_TRUE(before_the_end.ok()) << before_the_end.error().message;
  ASSERT_TRUE(at_the_end.ok()) << at_the_end.error().message;
  ASSERT_TRUE(rows_read.ok()) << rows_read.error().message;
  EXPECT_FALSE(*before_the_end);
  EXPECT_TRUE(*at_the_end);
  EXPECT_LE(rows_read->Int(0, 0), 2) << "the paused job, once per call, not the 3,001 jobs";
}

// run_stats_count plans its statements at a connection's first call and
// keeps those plans (0030); when that call comes while runs is empty, the
// plans must still be the index plans once runs holds thousands of rows.
// In a database of its own: another test creating or dropping its schema
// meanwhile would have the session plan again, on the full table, and the
// test pass whatever plan the empty table gave.
TEST(PgIndexPlans, TheRollUpOfEndedRunsKeepsIndexPlansMadeOnAnEmptyTable) {
  auto [schema, job_id] = MigratedSchemaWithAJob(/*own_database=*/true);
  ASSERT_NE(schema, nullptr);
  const std::string job = std::to_string(job_id);

  // One session, one transaction: the plans are made by the first call, on
  // the empty runs table, and used by the last, on 20,000 runs.
  // The temporary tables come first: making them changes the search path,
  // which makes PostgreSQL plan again.
  auto rows_read = schema->QueryValue(
      "CREATE TEMP TABLE ended (id bigint); CREATE TEMP TABLE before_call (rows_read bigint);"
      "SELECT run_stats_count(ARRAY[]::bigint[]);"
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, created_at, started_at, finished_at)"
      " SELECT " +
      job +
      ", g * 1000, 'manual', CASE WHEN g % 2 = 0 THEN 'succeeded' ELSE 'failed' END, g * 1000,"
      " g * 1000, g * 1000 + 5 FROM generate_series(1, 20000) g;"
      "INSERT INTO ended SELECT id FROM runs WHERE id > 19990 AND id <= 19994;"
      "INSERT INTO before_call SELECT (" +
      std::string(kRowsRead) +
      ");"
      "SELECT run_stats_count(ARRAY(SELECT id FROM ended));"
      "SELECT (" +
      std::string(kRowsRead) + ") - rows_read FROM before_call");
  auto counted = schema->QueryValue(
      "SELECT sum(succeeded) || '/' || sum(failed) FROM run_stats WHERE width = 60000 AND namespace = ''");

  ASSERT_TRUE(rows_read.ok()) << rows_read.error().message;
  ASSERT_FALSE(rows_read->empty());
  // The 4 runs, their job, a few roll-up rows: not the 20,000 runs.
  EXPECT_LT(std::stoll(*rows_read), 100) << *rows_read;
  ASSERT_TRUE(counted.ok()) << counted.error().message;
  // The insert's own roll-up counted the 20,000 runs, and the last call 4 of them again.
  EXPECT_EQ(*counted, "10002/10002");
}

// Every firing adds its jobs' name trigrams to the trigram index's pending
// list (no update of jobs is HOT); the statement that finds the list full
// moves it all into the index, and a list of the default 4 MB stalled a
// firing by tens of milliseconds. 0031 keeps the list to 64 kB: 8 pages.
TEST(PgIndexPlans, FiringsMoveJobNameTrigramsIntoTheirIndexInSmallSteps) {
  auto [schema, job_id] = MigratedSchemaWithAJob(/*own_database=*/true);  // for its extension
  ASSERT_NE(schema, nullptr);
  auto trigrams = schema->QueryValue("SELECT to_regclass('jobs_name_trigrams') IS NOT NULL");
  ASSERT_TRUE(trigrams.ok()) << trigrams.error().message;
  ASSERT_EQ(*trigrams, "t") << "pg_trgm is part of PostgreSQL's packages: the test server has it";

  // 2,000 jobs, each updated 4 times as firings do: some 120,000 trigram entries.
  ASSERT_TRUE(schema->Execute(CopiesOfTheJobUpdatedAsFiringsDo(2000, 4)).ok());
  auto pending_pages = schema->QueryValue(
      "CREATE EXTENSION IF NOT EXISTS pgstattuple;"
      "SELECT pending_pages FROM pgstatginindex('jobs_name_trigrams')");

  ASSERT_TRUE(pending_pages.ok()) << pending_pages.error().message;
  ASSERT_FALSE(pending_pages->empty());
  EXPECT_LE(std::stoll(*pending_pages), 8) << "pages of entries waiting to be moved into the index";
}

}  // namespace
}  // namespace jobsched::store::postgres
