// Job labels in the JobStore contract, on every store (SQLite, PostgreSQL):
// stored and read back with the job, selected by ListJobs' label selector
// (job_labels, migration 0020) alone and with the other filters, orders and
// cursors, and kept in step by updates, bulk changes and deletes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/job_validation.hpp"
#include "core/label_selector.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

template <typename BackendType>
class JobLabelsContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }

  core::JobId Create(const std::string& name, core::Labels labels) {
    core::JobRequest request;
    request.name = name;
    request.every = "1h";
    request.labels = std::move(labels);
    auto job = core::ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
    EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().message);
    auto stored = CreateJobAndWait(store(), *job);
    EXPECT_TRUE(stored.ok()) << (stored.ok() ? "" : stored.error().message);
    return stored.ok() ? stored->id : 0;
  }

  // The four jobs most tests select from.
  void CreateTeams() {
    Create("a", {{"team", "payments"}, {"tier", "web"}});
    Create("b", {{"team", "payments"}, {"tier", "batch"}, {"example.com/canary", ""}});
    Create("c", {{"team", "billing"}});
    Create("d", {});
  }

  std::vector<std::string> Names(JobListQuery query, const std::string& selector) {
    auto parsed = core::ParseLabelSelector(selector);
    EXPECT_TRUE(parsed.ok()) << selector;
    if (!parsed.ok()) return {};
    query.labels = *parsed;
    auto jobs = store().ListJobs(query);
    EXPECT_TRUE(jobs.ok()) << (jobs.ok() ? "" : jobs.error().message);
    std::vector<std::string> names;
    if (!jobs.ok()) return names;
    for (const core::Job& job : *jobs) {
      EXPECT_TRUE(core::Matches(query.labels, job.labels)) << job.name << " does not match " << selector;
      names.push_back(job.name);
    }
    return names;
  }
  std::vector<std::string> Names(const std::string& selector) { return Names(JobListQuery{}, selector); }

  void SetLabels(core::JobId id, core::Labels labels) {
    auto updated = Wait<core::Job>([&](auto done) {
      store().UpdateJob(
          id,
          [&labels](const core::Job& current) -> core::Result<core::Job> {
            core::Job changed = current;
            changed.labels = labels;
            changed.version += 1;
            return changed;
          },
          std::move(done));
    });
    ASSERT_TRUE(updated.ok()) << updated.error().message;
    EXPECT_EQ(updated->labels, labels);
  }
};

TYPED_TEST_SUITE(JobLabelsContract, Backends);

using Names = std::vector<std::string>;

TYPED_TEST(JobLabelsContract, StoresTheLabelsWithTheJob) {
  const core::Labels labels{{"team", "payments"}, {"app.kubernetes.io/name", "ledger"}, {"empty", ""}};
  const core::JobId id = this->Create("ledger", labels);
  auto job = this->store().GetJob(id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->labels, labels);
  auto listed = this->store().ListJobs(JobListQuery{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().labels, labels);
  const core::JobId bare = this->Create("bare", {});
  EXPECT_TRUE(this->store().GetJob(bare)->labels.empty());
}

TYPED_TEST(JobLabelsContract, SelectsByEveryOperator) {
  this->CreateTeams();
  EXPECT_EQ(this->Names("team=payments"), (Names{"a", "b"}));
  EXPECT_EQ(this->Names("team==billing"), (Names{"c"}));
  EXPECT_EQ(this->Names("team!=payments"), (Names{"c", "d"}));  // d has no team: != holds
  EXPECT_EQ(this->Names("tier"), (Names{"a", "b"}));
  EXPECT_EQ(this->Names("!tier"), (Names{"c", "d"}));
  EXPECT_EQ(this->Names("example.com/canary"), (Names{"b"}));
  EXPECT_EQ(this->Names("example.com/canary="), (Names{"b"}));
  EXPECT_EQ(this->Names("tier in (web,batch)"), (Names{"a", "b"}));
  EXPECT_EQ(this->Names("tier notin (web)"), (Names{"b", "c", "d"}));
  EXPECT_EQ(this->Names("team=payments,tier!=batch"), (Names{"a"}));
  EXPECT_EQ(this->Names("team=payments,tier=batch,example.com/canary"), (Names{"b"}));
  EXPECT_EQ(this->Names("team=payments,team=billing"), (Names{}));
  EXPECT_EQ(this->Names("team=nobody"), (Names{}));
  EXPECT_EQ(this->Names("web"), (Names{}));  // a value is not a key
}

TYPED_TEST(JobLabelsContract, CombinesWithFiltersSearchOrdersAndCursors) {
  this->CreateTeams();
  this->Create("payments report", {{"team", "payments"}});
  this->Create("payments export", {{"team", "payments"}, {"tier", "batch"}});

  JobListQuery query;
  query.name_contains = "payments";  // through the trigram index on SQLite
  EXPECT_EQ(this->Names(query, "team=payments"), (Names{"payments report", "payments export"}));
  EXPECT_EQ(this->Names(query, "tier=batch"), (Names{"payments export"}));
  query.name_contains = "po";  // too short for the index
  EXPECT_EQ(this->Names(query, "team=payments,!tier"), (Names{"payments report"}));

  query = JobListQuery{};
  query.descending = true;
  EXPECT_EQ(this->Names(query, "team=payments"), (Names{"payments export", "payments report", "b", "a"}));
  query.order = JobOrder::kName;
  query.descending = false;
  EXPECT_EQ(this->Names(query, "team=payments"), (Names{"a", "b", "payments export", "payments report"}));
  query.name_prefix = "pay";
  EXPECT_EQ(this->Names(query, "tier"), (Names{"payments export"}));

  // Page by page, in id order (read from the label index) and by name.
  for (const JobOrder order : {JobOrder::kId, JobOrder::kName}) {
    JobListQuery paged;
    paged.order = order;
    paged.limit = 1;
    Names seen;
    for (int page = 0; page < 10; ++page) {
      auto parsed = core::ParseLabelSelector("team=payments");
      paged.labels = *parsed;
      auto jobs = this->store().ListJobs(paged);
      ASSERT_TRUE(jobs.ok());
      if (jobs->empty()) break;
      seen.push_back(jobs->front().name);
      paged.after_id = jobs->front().id;
      paged.after_name = jobs->front().name;
    }
    const Names expected = order == JobOrder::kId ? Names{"a", "b", "payments report", "payments export"}
                                                  : Names{"a", "b", "payments export", "payments report"};
    EXPECT_EQ(seen, expected);
  }
}

TYPED_TEST(JobLabelsContract, UpdatesBulkChangesAndDeletesKeepTheSelectionTrue) {
  this->CreateTeams();
  auto a = this->store().ListJobs(JobListQuery{});
  ASSERT_TRUE(a.ok());
  const core::JobId first = a->at(0).id;
  const core::JobId second = a->at(1).id;

  this->SetLabels(first, {{"team", "billing"}});
  EXPECT_EQ(this->Names("team=payments"), (Names{"b"}));
  EXPECT_EQ(this->Names("team=billing"), (Names{"a", "c"}));
  EXPECT_EQ(this->Names("tier=web"), (Names{}));
  this->SetLabels(first, {});
  EXPECT_EQ(this->Names("team"), (Names{"b", "c"}));

  // A change that leaves the labels alone keeps them, and their selection.
  auto paused = ChangeJobsAndWait(this->store(), {second}, JobAction::kPause, At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(paused.ok());
  EXPECT_EQ(this->store().GetJob(second)->labels.size(), 3U);
  EXPECT_EQ(this->Names("tier=batch"), (Names{"b"}));

  ASSERT_TRUE(Wait<void>([&](auto done) {
                this->store().DeleteJob(
                    second, [](const core::Job&) -> core::Result<void> { return {}; }, std::move(done));
              }).ok());
  EXPECT_EQ(this->Names("team=payments"), (Names{}));
  EXPECT_EQ(this->Names("!team"), (Names{"a", "d"}));
}

}  // namespace
}  // namespace jobsched::store::testing
