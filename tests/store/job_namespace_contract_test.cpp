// Namespaces in the JobStore contract, on every store (SQLite, PostgreSQL):
// stored with the job, and the filters of job and run lists.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/job_validation.hpp"
#include "store_backends.hpp"
#include "testing/run_queries.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
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

template <typename BackendType>
class JobNamespaceContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }

  core::JobId Create(const std::string& name, std::optional<std::string> job_namespace) {
    auto created = CreateJobAndWait(store(), MakeJob(name, std::move(job_namespace)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : 0;
  }

  core::RunId Trigger(core::JobId id) {
    auto run = Wait<core::Run>([&](auto done) { store().TriggerJob(id, At("2026-11-27T10:00:00Z"), std::move(done)); });
    EXPECT_TRUE(run.ok());
    return run.ok() ? run->id : 0;
  }

  std::vector<std::string> Names(const JobListQuery& query) {
    auto jobs = store().ListJobs(query);
    EXPECT_TRUE(jobs.ok()) << (jobs.ok() ? "" : jobs.error().message);
    std::vector<std::string> names;
    if (!jobs.ok()) return names;
    for (const core::Job& job : *jobs) names.push_back(job.name);
    return names;
  }
};

TYPED_TEST_SUITE(JobNamespaceContract, Backends);

TYPED_TEST(JobNamespaceContract, AJobKeepsItsNamespaceThroughUpdates) {
  const core::JobId id = this->Create("a1", "team-a");

  auto updated = Wait<core::Job>([&](auto done) {
    this->store().UpdateJob(
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
  EXPECT_EQ(this->store().GetJob(id)->namespace_name, "team-a");
  EXPECT_EQ(this->store().GetJob(this->Create("d1", std::nullopt))->namespace_name, "default");
}

TYPED_TEST(JobNamespaceContract, ListsTheJobsOfOneNamespaceOrAll) {
  this->Create("a1", "team-a");
  this->Create("b1", "team-b");
  this->Create("a2", "team-a");
  this->Create("d1", std::nullopt);
  JobListQuery all;
  JobListQuery team_a;
  team_a.job_namespace = "team-a";
  JobListQuery nobody;
  nobody.job_namespace = "nobody";

  EXPECT_EQ(this->Names(all), (std::vector<std::string>{"a1", "b1", "a2", "d1"}));
  EXPECT_EQ(this->Names(team_a), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(this->Names(nobody), std::vector<std::string>{});
}

TYPED_TEST(JobNamespaceContract, PagesThroughANamespaceWithTheOtherFilters) {
  for (int i = 0; i < 5; ++i) {
    this->Create("a" + std::to_string(i), "team-a");
    this->Create("b" + std::to_string(i), "team-b");
  }
  JobListQuery page;
  page.job_namespace = "team-a";
  page.limit = 2;
  page.name_prefix = "a";
  page.is_active = true;

  auto first = this->store().ListJobs(page);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  page.after_id = first->back().id;
  const auto second = this->Names(page);

  EXPECT_EQ(first->front().name, "a0");
  EXPECT_EQ(second, (std::vector<std::string>{"a2", "a3"}));
}

TYPED_TEST(JobNamespaceContract, ListsOnlyTheRunsOfJobsInTheNamespace) {
  const core::JobId a = this->Create("a1", "team-a");
  const core::JobId b = this->Create("b1", "team-b");
  const core::RunId run_a = this->Trigger(a);
  this->Trigger(b);
  RunListQuery query;
  query.job_namespace = "team-a";

  auto runs = this->store().ListRuns(query);

  ASSERT_TRUE(runs.ok()) << runs.error().message;
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().id, run_a);
  EXPECT_EQ(this->store().ListRuns(RunListQuery{})->size(), 2u);
  query.job_id = b;
  EXPECT_EQ(this->store().ListRuns(query)->size(), 0u);
}

}  // namespace
}  // namespace jobsched::store::testing
