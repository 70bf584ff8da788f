// The name search's index on SQLite (FTS5 jobs_search, migrations 0017 and
// 0027): new jobs go in once per transaction, just before COMMIT, and the
// index stays whole when a job is renamed or deleted in the transaction that
// created it. The search's behaviour for every store is in
// job_list_contract_test.cpp.
#include <future>
#include <vector>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "core/job_validation.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/wait.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::sqlite {
namespace {

using jobsched::testing::At;

core::Job MakeJob(const std::string& name) {
  core::JobRequest request;
  request.name = name;
  request.interval = "weekly";
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

JobStore::JobChange Rename(std::string name) {
  return [name = std::move(name)](const core::Job& current) -> core::Result<core::Job> {
    core::Job changed = current;
    changed.name = name;
    changed.version += 1;
    return changed;
  };
}

// An observer's connection to the store's file, for what the store does not show.
class Observer {
 public:
  explicit Observer(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;
  ~Observer() { sqlite3_close(db_); }

  // The first column of the first row, or -1 for no row; `error` gets SQLite's message.
  std::int64_t Integer(const char* sql, std::string* error = nullptr) {
    sqlite3_stmt* statement = nullptr;
    std::int64_t value = -1;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
    if (error != nullptr) *error = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
    return value;
  }

  // How many segments FTS5 has written to jobs_search so far: the write
  // counter of its structure record (row 10 of jobs_search_data: a 4-byte
  // cookie, then the varints level count, segment count, write counter).
  std::int64_t SegmentsWritten() {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, "SELECT block FROM jobs_search_data WHERE id = 10", -1, &statement, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
    const auto* block = static_cast<const unsigned char*>(sqlite3_column_blob(statement, 0));
    const int size = sqlite3_column_bytes(statement, 0);
    std::vector<std::int64_t> varints;
    std::int64_t value = 0;
    for (int i = 4; i < size && varints.size() < 3; ++i) {
      value = (value << 7) | (block[i] & 0x7f);
      if ((block[i] & 0x80) == 0) {
        varints.push_back(value);
        value = 0;
      }
    }
    sqlite3_finalize(statement);
    EXPECT_EQ(varints.size(), 3U);
    return varints.size() == 3 ? varints[2] : -1;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteSearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  // Blocks the writer thread inside a write (a no-op update of `job`) until
  // the returned promise is set: whatever is submitted meanwhile shares the
  // next transaction. `held` completes once that update has committed.
  std::promise<void> HoldWriter(core::JobId job, std::future<core::Result<core::Job>>& held) {
    std::promise<void> release;
    auto released = release.get_future().share();
    auto answer = std::make_shared<std::promise<core::Result<core::Job>>>();
    held = answer->get_future();
    std::promise<void> holding;
    auto writer_holds = holding.get_future();
    store_->UpdateJob(
        job,
        [released, holding = std::make_shared<std::promise<void>>(std::move(holding))](
            const core::Job& current) -> core::Result<core::Job> {
          holding->set_value();
          released.wait();
          core::Job same = current;
          same.version += 1;
          return same;
        },
        [answer](core::Result<core::Job> result) { answer->set_value(std::move(result)); });
    writer_holds.wait();
    return release;
  }

  std::future<core::Result<core::Job>> SubmitCreate(const std::string& name) {
    auto answer = std::make_shared<std::promise<core::Result<core::Job>>>();
    auto future = answer->get_future();
    store_->CreateJob(MakeJob(name),
                      [answer](core::Result<core::Job> result) { answer->set_value(std::move(result)); });
    return future;
  }

  std::vector<std::string> Search(const std::string& text) {
    JobListQuery query;
    query.limit = 100;
    query.name_contains = text;
    auto jobs = store_->ListJobs(query);
    EXPECT_TRUE(jobs.ok());
    std::vector<std::string> names;
    if (jobs.ok())
      for (const core::Job& job : *jobs) names.push_back(job.name);
    return names;
  }

  jobsched::testing::TempDir dir_;
  std::unique_ptr<SqliteJobStore> store_;
};

TEST_F(SqliteSearchIndexTest, ATransactionOfCreatesWritesOneSegmentOfTheIndex) {
  auto first = CreateJobAndWait(*store_, MakeJob("first job"));
  ASSERT_TRUE(first.ok());
  Observer observer(dir_.File("jobs.db"));
  const std::int64_t before = observer.SegmentsWritten();

  std::future<core::Result<core::Job>> held;
  std::promise<void> release = HoldWriter(first->id, held);
  std::vector<std::future<core::Result<core::Job>>> created;
  for (int i = 0; i < 20; ++i) created.push_back(SubmitCreate("nightly report " + std::to_string(i)));
  release.set_value();
  ASSERT_TRUE(held.get().ok());
  for (auto& each : created) ASSERT_TRUE(each.get().ok());

  // Before 0027 FTS5 wrote one segment per create: at every statement
  // savepoint it writes out what it holds, and each INSERT into jobs opens one.
  EXPECT_EQ(observer.SegmentsWritten() - before, 1);
  EXPECT_EQ(Search("report").size(), 20U);
}

TEST_F(SqliteSearchIndexTest, RenamesAndDeletesInTheCreatingTransactionLeaveTheIndexWhole) {
  auto alpha = CreateJobAndWait(*store_, MakeJob("alpha report"));
  ASSERT_TRUE(alpha.ok());

  std::future<core::Result<core::Job>> held;
  std::promise<void> release = HoldWriter(alpha->id, held);
  // All of these share one transaction, in this order.
  auto bravo = SubmitCreate("bravo report");
  auto delta = SubmitCreate("delta report");
  auto taken = SubmitCreate("bravo report");  // fails alone: the name is taken
  const core::JobId bravo_id = alpha->id + 1;
  const core::JobId delta_id = alpha->id + 2;
  std::promise<core::Result<core::Job>> renamed_bravo;
  store_->UpdateJob(bravo_id, Rename("charlie summary"),
                    [&](core::Result<core::Job> result) { renamed_bravo.set_value(std::move(result)); });
  std::promise<core::Result<void>> deleted_delta;
  store_->DeleteJob(
      delta_id, [](const core::Job&) -> core::Result<void> { return {}; },
      [&](core::Result<void> result) { deleted_delta.set_value(std::move(result)); });
  std::promise<core::Result<core::Job>> renamed_alpha;
  store_->UpdateJob(alpha->id, Rename("echo summary"),
                    [&](core::Result<core::Job> result) { renamed_alpha.set_value(std::move(result)); });
  auto foxtrot = SubmitCreate("foxtrot report");
  release.set_value();

  ASSERT_TRUE(held.get().ok());
  auto bravo_created = bravo.get();
  ASSERT_TRUE(bravo_created.ok());
  EXPECT_EQ(bravo_created->id, bravo_id);
  auto delta_created = delta.get();
  ASSERT_TRUE(delta_created.ok());
  EXPECT_EQ(delta_created->id, delta_id);
  EXPECT_FALSE(taken.get().ok());
  ASSERT_TRUE(renamed_bravo.get_future().get().ok());
  ASSERT_TRUE(deleted_delta.get_future().get().ok());
  ASSERT_TRUE(renamed_alpha.get_future().get().ok());
  ASSERT_TRUE(foxtrot.get().ok());

  EXPECT_EQ(Search("report"), (std::vector<std::string>{"foxtrot report"}));
  EXPECT_EQ(Search("summary"), (std::vector<std::string>{"echo summary", "charlie summary"}));
  Observer observer(dir_.File("jobs.db"));
  EXPECT_EQ(observer.Integer("SELECT count(*) FROM jobs_search_pending"), 0);
  // FTS5 compares its index with the jobs table: a 'delete' of a job never
  // indexed, or a job indexed under an old name, fails it.
  std::string error;
  observer.Integer("INSERT INTO jobs_search (jobs_search, rank) VALUES ('integrity-check', 1)", &error);
  EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace jobsched::store::sqlite
