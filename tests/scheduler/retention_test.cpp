// The retention pass over a real SQLite file, with time in the test's hands.
#include "scheduler/retention.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/job_validation.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/wait.hpp"
#include "testing/fake_clock.hpp"
#include "testing/run_queries.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::scheduler {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() : clock_(At("2026-11-27T10:00:00Z")) {
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
  }

  core::JobId CreateJob() {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = "1h";
    request.overlap = "allow";
    auto job = core::ValidateNewJob(request, clock_.Now());
    return store::CreateJobAndWait(*store_, *job)->id;
  }

  std::set<core::RunId> RunIdsOf(core::JobId job) {
    auto runs = store_->ListRuns(jobsched::testing::JobRuns(job, 1000));
    std::set<core::RunId> ids;
    if (runs.ok()) {
      for (const core::Run& run : *runs) ids.insert(run.id);
    }
    return ids;
  }

  jobsched::testing::TempDir dir_;
  jobsched::testing::FakeClock clock_;
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
};

TEST_F(RetentionTest, OnePassAppliesBothLimitsInSmallBatches) {
  // Job a: runs finished 40, 20 and 10 days ago, and 5 in the last hour.
  // Job b: 3 recent runs. Keep 30 days and 4 runs per job.
  const core::JobId a = CreateJob();
  const core::JobId b = CreateJob();
  const core::TimePoint now = At("2026-11-27T10:00:00Z");
  jobsched::testing::FinishedRunAt(*store_, a, now - 40 * 24h);
  const core::RunId a20 = jobsched::testing::FinishedRunAt(*store_, a, now - 20 * 24h);
  const core::RunId a10 = jobsched::testing::FinishedRunAt(*store_, a, now - 10 * 24h);
  std::vector<core::RunId> recent_a;
  for (int i = 5; i >= 1; --i) recent_a.push_back(jobsched::testing::FinishedRunAt(*store_, a, now - i * 10min));
  std::set<core::RunId> b_runs;
  for (int i = 3; i >= 1; --i) b_runs.insert(jobsched::testing::FinishedRunAt(*store_, b, now - i * 1min));
  (void)a20;
  (void)a10;

  RetentionOptions options;
  options.keep_for = 30 * 24h;
  options.keep_per_job = 4;
  options.batch_rows = 1;  // every batch is one row: the pass must loop
  options.batch_jobs = 1;
  options.pause = 0ms;
  Retention retention(*store_, clock_, options);

  auto pruned = retention.PruneOnce();

  ASSERT_TRUE(pruned.ok());
  // a: the 40-day-old run by age, then the 20- and 10-day-old and the
  // oldest recent one beyond the newest 4.
  EXPECT_EQ(*pruned, 4u);
  EXPECT_EQ(RunIdsOf(a), (std::set<core::RunId>{recent_a[1], recent_a[2], recent_a[3], recent_a[4]}));
  EXPECT_EQ(RunIdsOf(b), b_runs);
  EXPECT_EQ(*retention.PruneOnce(), 0u) << "a second pass finds nothing more";
}

TEST_F(RetentionTest, ZeroKeepsEverything) {
  const core::JobId a = CreateJob();
  for (int i = 0; i < 3; ++i) jobsched::testing::FinishedRunAt(*store_, a, At("2025-01-01T00:00:00Z") + i * 1min);

  RetentionOptions options;
  options.keep_for = 0h;
  options.keep_per_job = 0;
  Retention retention(*store_, clock_, options);

  EXPECT_EQ(*retention.PruneOnce(), 0u);
  EXPECT_EQ(RunIdsOf(a).size(), 3u);
}

TEST_F(RetentionTest, DeletesTheRollupsOfRunStatisticsPastTheirAgeInBatches) {
  const core::JobId a = CreateJob();
  jobsched::testing::FinishedRunAt(*store_, a, clock_.Now() - 9 * 24h);
  jobsched::testing::FinishedRunAt(*store_, a, clock_.Now() - 1h);
  RetentionOptions options;
  options.keep_for = 0h;
  options.keep_per_job = 0;
  options.batch_rows = 4;  // the pass must loop
  options.pause = 0ms;
  Retention retention(*store_, clock_, options);

  auto pruned = retention.PruneRollupsOnce();

  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  // The old run's row of each of the three widths, of its namespace and of
  // every namespace, in counts and lateness.
  EXPECT_EQ(*pruned, 12u);
  EXPECT_EQ(RunIdsOf(a).size(), 2u) << "the runs themselves stay";
  EXPECT_EQ(*retention.PruneRollupsOnce(), 0u);
}

TEST_F(RetentionTest, DeletesConsoleSessionsPastTheirIdleExpiryInBatches) {
  for (const char digit : {'a', 'b', 'c', 'd'}) {
    store::StoredSession session;
    session.id_hash = std::string(64, digit);
    session.key_name = "console";
    session.csrf_hash = std::string(64, 'f');
    session.created_at = At("2026-11-27T00:00:00Z");
    session.last_seen_at = session.created_at;
    // a, b, c ended before now; d ends in an hour.
    session.expires_at = digit == 'd' ? At("2026-11-27T11:00:00Z") : At("2026-11-27T09:00:00Z");
    ASSERT_TRUE(store::CreateSessionAndWait(*store_, session).ok());
  }
  RetentionOptions options;
  options.keep_for = 0h;
  options.keep_per_job = 0;
  options.batch_rows = 2;  // the pass must loop
  options.pause = 0ms;
  Retention retention(*store_, clock_, options, store_.get());

  auto pruned = retention.PruneSessionsOnce();

  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_EQ(*pruned, 3u);
  EXPECT_FALSE(store_->FindSession(std::string(64, 'a'))->has_value());
  EXPECT_TRUE(store_->FindSession(std::string(64, 'd'))->has_value());
  clock_.Advance(2h);
  EXPECT_EQ(*retention.PruneSessionsOnce(), 1u);
}

TEST_F(RetentionTest, DeletesAuditEntriesPastKeepAuditDaysInBatches) {
  for (const auto age : {100 * 24h, 95 * 24h, 91 * 24h, 89 * 24h}) {
    store::AuditContext audit;
    audit.at = clock_.Now() - age;
    audit.actor = "ci";
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = "1h";
    auto created = store::Wait<core::Job>(
        [&](auto done) { store_->CreateJob(*core::ValidateNewJob(request, clock_.Now()), std::move(done), audit); });
    ASSERT_TRUE(created.ok());
  }
  RetentionOptions options;
  options.keep_for = 0h;
  options.keep_per_job = 0;
  options.audit_for = 90 * 24h;
  options.batch_rows = 2;  // the pass must loop
  options.pause = 0ms;
  Retention retention(*store_, clock_, options, nullptr, store_.get());

  auto pruned = retention.PruneAuditOnce();

  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_EQ(*pruned, 3u);
  auto left = store_->ListAudit(store::AuditQuery{});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().at, clock_.Now() - 89 * 24h);
}

TEST_F(RetentionTest, ZeroAuditDaysKeepsEveryEntry) {
  store::AuditContext audit;
  audit.at = clock_.Now() - 1000 * 24h;
  audit.actor = "ci";
  core::JobRequest request;
  request.name = jobsched::testing::UniqueJobName();
  request.every = "1h";
  ASSERT_TRUE(store::Wait<core::Job>([&](auto done) {
                store_->CreateJob(*core::ValidateNewJob(request, clock_.Now()), std::move(done), audit);
              }).ok());
  RetentionOptions options;
  options.audit_for = 0h;
  Retention retention(*store_, clock_, options, nullptr, store_.get());

  auto pruned = retention.PruneAuditOnce();

  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0u);
  EXPECT_EQ(store_->ListAudit(store::AuditQuery{})->size(), 1u);
}

TEST_F(RetentionTest, WithoutASessionStoreThereAreNoSessionsToPrune) {
  Retention retention(*store_, clock_, RetentionOptions{});

  auto pruned = retention.PruneSessionsOnce();

  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0u);
}

}  // namespace
}  // namespace jobsched::scheduler
