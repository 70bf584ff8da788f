// Namespaces in the JobStore, on SQLite: stored with the job, and the
// filters of job and run lists.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include "core/job_validation.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/run_queries.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store {
namespace {

using jobsched::testing::At;

core::Job MakeJob(const std::string& name, std::optional<std::string> job_namespace) {
  core::JobRequest request;
  request.name = name;
  request.interval = "weekly";
  request.overlap = "allow";
  request.namespace_name = std::move(job_namespace);
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

class JobNamespaceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  core::JobId Create(const std::string& name, std::optional<std::string> job_namespace) {
    auto created = CreateJobAndWait(*store_, MakeJob(name, std::move(job_namespace)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : 0;
  }

  core::RunId Trigger(core::JobId id) {
    auto run = jobsched::testing::WaitFor<core::Run>(
        [&](auto done) { store_->TriggerJob(id, At("2026-11-27T10:00:00Z"), std::move(done)); });
    EXPECT_TRUE(run.ok());
    return run.ok() ? run->id : 0;
  }

  std::vector<std::string> Names(const JobListQuery& query) {
    auto jobs = store_->ListJobs(query);
    EXPECT_TRUE(jobs.ok());
    std::vector<std::string> names;
    if (!jobs.ok()) return names;
    for (const core::Job& job : *jobs) names.push_back(job.name);
    return names;
  }

  jobsched::testing::TempDir dir_;
  std::unique_ptr<sqlite::SqliteJobStore> store_;
};

TEST_F(JobNamespaceStoreTest, AJobKeepsItsNamespaceThroughUpdates) {
  const core::JobId id = Create("a1", "team-a");

  auto updated = jobsched::testing::WaitFor<core::Job>([&](auto done) {
    store_->UpdateJob(
        id,
        [](const core::Job& current) -> core::Result<core::Job> {
          core::Job changed = current;
          changed.name = "renamed";
          changed.version += 1;
          return changed;
        },
        std::move(done));
  });

  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(store_->GetJob(id)->namespace_name, "team-a");
  EXPECT_EQ(store_->GetJob(Create("d1", std::nullopt))->namespace_name, "default");
}

TEST_F(JobNamespaceStoreTest, ListsTheJobsOfOneNamespaceOrAll) {
  Create("a1", "team-a");
  Create("b1", "team-b");
  Create("a2", "team-a");
  Create("d1", std::nullopt);
  JobListQuery all;
  JobListQuery team_a;
  team_a.job_namespace = "team-a";
  JobListQuery nobody;
  nobody.job_namespace = "nobody";

  EXPECT_EQ(Names(all), (std::vector<std::string>{"a1", "b1", "a2", "d1"}));
  EXPECT_EQ(Names(team_a), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Names(nobody), std::vector<std::string>{});
}

TEST_F(JobNamespaceStoreTest, PagesThroughANamespaceWithTheOtherFilters) {
  for (int i = 0; i < 5; ++i) {
    Create("a" + std::to_string(i), "team-a");
    Create("b" + std::to_string(i), "team-b");
  }
  JobListQuery page;
  page.job_namespace = "team-a";
  page.limit = 2;
  page.name_prefix = "a";

  auto first = store_->ListJobs(page);
  ASSERT_TRUE(first.ok());
  page.after_id = first->back().id;
  const auto second = Names(page);

  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ(first->front().name, "a0");
  EXPECT_EQ(second, (std::vector<std::string>{"a2", "a3"}));
}

TEST_F(JobNamespaceStoreTest, ListsOnlyTheRunsOfJobsInTheNamespace) {
  const core::JobId a = Create("a1", "team-a");
  const core::JobId b = Create("b1", "team-b");
  const core::RunId run_a = Trigger(a);
  Trigger(b);
  RunListQuery query;
  query.job_namespace = "team-a";

  auto runs = store_->ListRuns(query);

  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().id, run_a);
  EXPECT_EQ(store_->ListRuns(RunListQuery{})->size(), 2u);
}

}  // namespace
}  // namespace jobsched::store
