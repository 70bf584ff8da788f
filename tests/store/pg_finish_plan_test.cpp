// The finish statement is planned at every call, never from a generic plan
// cached while the runs table was small (see kFinishRuns in
// pg_finish_batcher.cpp); the roll-ups it triggers keep plans that read no
// table whole (migrations 0029 and 0030).
#include <gtest/gtest.h>

#include <string>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/postgres_job_store.hpp"
#include "store/postgres/postgres_run_queue.hpp"
#include "store/wait.hpp"
#include "testing/pg_test_schema.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::store::postgres {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

TEST(PgFinishBatcher, FinishesRunsWithAStatementPlannedAtEveryCall) {
  auto schema = jobsched::testing::PgTestSchema::Create();
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  auto database = PgDatabase::Open({.url = (*schema)->url()});
  ASSERT_TRUE(database.ok()) << database.error().message;
  PostgresJobStore jobs(*database);
  PostgresRunQueue runs(*database);
  core::JobRequest request;
  request.name = jobsched::testing::UniqueJobName();
  request.every = "1m";
  auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(CreateJobAndWait(jobs, *job).ok());
  ASSERT_TRUE(FireDueJobsAndWait(jobs, At("2026-11-27T10:01:00Z"), 10, core::PlanFiring).ok());
  auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
    runs.ClaimRuns("node-a", 1, At("2026-11-27T10:01:00Z"), At("2026-11-27T10:01:30Z"), std::move(done));
  });
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);
  RunCompletion completion;
  completion.run_id = claimed->front().run.id;
  completion.finished_at = At("2026-11-27T10:01:01Z");

  auto finished = Wait<void>([&](auto done) { runs.FinishRun("node-a", completion, std::move(done)); });
  auto prepared = Wait<std::int64_t>([&](auto done) {
    (*database)->outcome_writer().Submit<std::int64_t>(
        [](PgConnection& db) -> core::Result<std::int64_t> {
          auto counted = db.Query("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH f AS%'");
          if (!counted) return counted.error();
          return counted->Int(0, 0);
        },
        std::move(done));
  });

  ASSERT_TRUE(finished.ok()) << finished.error().message;
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  EXPECT_EQ(*prepared, 0);
}

// Migrations 0029 and 0030: the counting of ended runs keeps its plans,
// which read no table whole (see pg_index_plans_test.cpp), and the triggers'
// entry point, called for every statement that writes runs, only checks that
// some run ended.
TEST(PgFinishBatcher, TheRollUpOfEndedRunsKeepsPlansThatReadNoTableWhole) {
  auto schema = jobsched::testing::PgTestSchema::Create();
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  auto database = PgDatabase::Open({.url = (*schema)->url()});  // migrates
  ASSERT_TRUE(database.ok()) << database.error().message;
  const auto settings = [&schema](const std::string& function) {
    auto value = (*schema)->QueryValue(
        "SELECT coalesce(array_to_string(proconfig, ','), 'none') FROM pg_proc"
        " WHERE oid = to_regprocedure('" +
        function + "(bigint[])')");
    EXPECT_TRUE(value.ok()) << value.error().message;
    return value.ok() ? *value : std::string("?");
  };

  EXPECT_EQ(settings("run_stats_count"),
            "plan_cache_mode=force_generic_plan,enable_seqscan=off,enable_hashjoin=off,enable_mergejoin=off");
  EXPECT_EQ(settings("run_stats_add"), "none");
}

}  // namespace
}  // namespace jobsched::store::postgres
