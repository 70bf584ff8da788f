#include "store/sqlite/sqlite_job_store.hpp"

#include <gtest/gtest.h>

#include <set>
#include <future>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "core/job_validation.hpp"
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

TEST_F(SqliteJobStoreTest, CreatedJobCanBeReadBackWithEveryField) {
  auto store = OpenStore();
  core::Job job = MakeJob("Number Crunching");
  // Secrets are stored in full: only the API redacts them.
  job.task = core::Task{core::HttpTask{"POST", "http://127.0.0.1:9/hook", {{"X-A", "b"}}, "{}", std::nullopt, 204,
                                       {"X-A"}, "signing-secret-0123456789"}};

  auto created = CreateJobAndWait(*store, job);
  ASSERT_TRUE(created.ok());
  auto read = store->GetJob(created->id);

  ASSERT_TRUE(read.ok());
  EXPECT_GT(read->id, 0);
  EXPECT_EQ(read->name, "Number Crunching");
  EXPECT_EQ(read->schedule, job.schedule);
  EXPECT_EQ(read->task, job.task);
  EXPECT_EQ(read->next_run, job.next_run);
  EXPECT_EQ(read->last_run, std::nullopt);
  EXPECT_EQ(read->created_at, job.created_at);
  EXPECT_EQ(read->version, 1);
}

TEST_F(SqliteJobStoreTest, MissingJobIsNotFound) {
  auto store = OpenStore();

  auto read = store->GetJob(42);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, core::ErrorCode::kNotFound);
}

TEST_F(SqliteJobStoreTest, JobsSurviveReopeningTheFile) {
  core::JobId id = 0;
  {
    auto store = OpenStore();
    auto created = CreateJobAndWait(*store, MakeJob("Durable"));
    ASSERT_TRUE(created.ok());
    id = created->id;
  }

  auto reopened = OpenStore();
  auto read = reopened->GetJob(id);

  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "Durable");
}

TEST_F(SqliteJobStoreTest, ListPagesByIdWithKeysetCursor) {
  auto store = OpenStore();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("job " + std::to_string(i))).ok());

  auto first = store->ListJobs(Page(2));
  ASSERT_TRUE(first.ok());
  auto second = store->ListJobs(Page(2, first->back().id));
  ASSERT_TRUE(second.ok());
  auto last = store->ListJobs(Page(2, second->back().id));
  ASSERT_TRUE(last.ok());

  ASSERT_EQ(first->size(), 2u);
  ASSERT_EQ(second->size(), 2u);
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*first)[0].name, "job 0");
  EXPECT_EQ((*second)[0].name, "job 2");
  EXPECT_EQ((*last)[0].name, "job 4");
  EXPECT_LT((*first)[1].id, (*second)[0].id);
}

TEST_F(SqliteJobStoreTest, ListFiltersByActiveFlag) {
  auto store = OpenStore();
  ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("on", "daily", true)).ok());
  ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("off", "daily", false)).ok());

  auto active = store->ListJobs(Page(100, std::nullopt, true));
  auto inactive = store->ListJobs(Page(100, std::nullopt, false));
  auto all = store->ListJobs(Page(100));

  ASSERT_TRUE(active.ok() && inactive.ok() && all.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].name, "on");
  ASSERT_EQ(inactive->size(), 1u);
  EXPECT_EQ((*inactive)[0].name, "off");
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(SqliteJobStoreTest, ListFiltersByNamePrefixAndTaskType) {
  auto store = OpenStore();
  core::Job report = MakeJob("report daily");
  report.task = core::Task{core::ComputeTask{core::ComputeKind::kPrimeCount, 100}};
  core::Job hook = MakeJob("report hook");
  hook.task =
      core::Task{core::HttpTask{"POST", "http://127.0.0.1:9/x", {}, "", std::nullopt, std::nullopt, {}, std::nullopt}};
  ASSERT_TRUE(CreateJobAndWait(*store, report).ok());
  ASSERT_TRUE(CreateJobAndWait(*store, hook).ok());
  ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("cleanup")).ok());
  JobListQuery by_name = Page(100);
  by_name.name_prefix = "report";
  JobListQuery by_type = Page(100);
  by_type.task_type = "http";

  auto named = store->ListJobs(by_name);
  auto typed = store->ListJobs(by_type);

  ASSERT_TRUE(named.ok() && typed.ok());
  ASSERT_EQ(named->size(), 2u);
  EXPECT_EQ((*named)[0].name, "report daily");
  ASSERT_EQ(typed->size(), 1u);
  EXPECT_EQ((*typed)[0].name, "report hook");
}

TEST_F(SqliteJobStoreTest, ConcurrentCreatesAllCommitWithDistinctIds) {
  auto store = OpenStore();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<core::JobId>> ids(kThreads);

  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto created = CreateJobAndWait(*store, MakeJob("t" + std::to_string(t)));
        if (created.ok()) ids[t].push_back(created->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<core::JobId> unique;
  for (const auto& list : ids) unique.insert(list.begin(), list.end());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kThreads * kPerThread));
  auto listed = store->ListJobs(Page(1000));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST_F(SqliteJobStoreTest, AsyncCreatesAnswerOnlyAfterCommit) {
  auto store = OpenStore();
  constexpr int kJobs = 200;
  std::vector<std::promise<core::Result<core::Job>>> promises(kJobs);

  for (int i = 0; i < kJobs; ++i) {
    store->CreateJob(MakeJob("async"), [&promises, i](core::Result<core::Job> result) {
      promises[i].set_value(std::move(result));
    });
  }

  // A connection of its own sees a job only once it is committed: every
  // acknowledged job must be visible to it.
  sqlite3* observer = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &observer), SQLITE_OK);
  for (auto& promise : promises) {
    auto result = promise.get_future().get();
    ASSERT_TRUE(result.ok());
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(observer, "SELECT count(*) FROM jobs WHERE id = ?", -1, &statement, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(statement, 1, result->id);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(statement, 0), 1);
    sqlite3_finalize(statement);
  }
  sqlite3_close(observer);
}

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
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(CreateJobAndWait(*store, MakeJob("job")).ok());
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

TEST_F(SqliteJobStoreTest, OpeningAnUnwritablePathFailsAsUnavailable) {
  auto store = SqliteJobStore::Open({.path = dir_.File("missing-folder/jobs.db")});

  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace jobsched::store::sqlite
