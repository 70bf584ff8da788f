// The operator's quotas (StoreLimits), on every store (SQLite, PostgreSQL):
// jobs per namespace and runs created per job per minute, exact under bursts
// from one process and from two (two nodes of a cluster).
#include "store/store_limits.hpp"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/run_queries.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

core::Job MakeJob(const std::string& name, const std::string& job_namespace, const char* every = "1h") {
  core::JobRequest request;
  request.name = name;
  request.every = every;
  request.overlap = "allow";
  request.namespace_name = job_namespace;
  auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

JobListQuery Page(std::size_t limit) {
  JobListQuery query;
  query.limit = limit;
  return query;
}

template <typename BackendType>
class StoreLimitsContract : public StoreContractTest<BackendType> {
 protected:
  static constexpr StoreLimits kLimits{.max_jobs_per_namespace = 3, .max_runs_per_job_per_minute = 3};

  void SetUp() override {
    StoreContractTest<BackendType>::SetUp();
    limited_ = OpenLimited();
  }

  StoreInstance OpenLimited() {
    auto instance = this->backend_->OpenWithLimits(kLimits);
    EXPECT_TRUE(instance.ok()) << instance.error().message;
    return instance.ok() ? std::move(instance).value() : StoreInstance{};
  }

  core::Result<core::Job> Create(const std::string& name, const std::string& job_namespace) {
    return CreateJobAndWait(*limited_.jobs, MakeJob(name, job_namespace));
  }

  core::Result<core::Run> Trigger(core::JobId id, const char* now) {
    return Wait<core::Run>([&](auto done) { limited_.jobs->TriggerJob(id, At(now), std::move(done)); });
  }

  // `count` writes submitted at once to each of `instances`, without waiting
  // in between: they share transactions (group commit) and race across
  // instances. Answers how many succeeded.
  template <typename Submit>
  static int Burst(const std::vector<StoreInstance*>& instances, int count, Submit submit) {
    std::vector<std::future<bool>> answers;
    for (int i = 0; i < count; ++i) {
      for (StoreInstance* instance : instances) {
        auto promise = std::make_shared<std::promise<bool>>();
        answers.push_back(promise->get_future());
        submit(*instance, i, [promise](bool ok) { promise->set_value(ok); });
      }
    }
    int succeeded = 0;
    for (auto& answer : answers) succeeded += answer.get() ? 1 : 0;
    return succeeded;
  }

  StoreInstance limited_;
};

TYPED_TEST_SUITE(StoreLimitsContract, Backends);

TYPED_TEST(StoreLimitsContract, RefusesAJobBeyondTheNamespaceQuotaNamingIt) {
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(this->Create(name, "team-a").ok()) << name;

  auto refused = this->Create("d", "team-a");
  auto elsewhere = this->Create("e", "team-b");

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("'team-a'"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("3 jobs"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("max_jobs_per_namespace"), std::string::npos);
  EXPECT_TRUE(elsewhere.ok());
}

TYPED_TEST(StoreLimitsContract, ADeletedJobMakesRoomAgain) {
  std::vector<core::JobId> ids;
  for (const char* name : {"a", "b", "c"}) ids.push_back(this->Create(name, "team-a")->id);
  ASSERT_FALSE(this->Create("d", "team-a").ok());

  ASSERT_TRUE(Wait<void>([&](auto done) {
                return this->limited_.jobs->DeleteJob(
                    ids[0], [](const core::Job&) { return core::Ok(); }, std::move(done));
              }).ok());

  EXPECT_TRUE(this->Create("d", "team-a").ok());
  EXPECT_FALSE(this->Create("e", "team-a").ok());
}

// Creates refused for their name, or for the quota, take no room.
TYPED_TEST(StoreLimitsContract, RefusedCreatesLeaveTheNamespaceQuotaExact) {
  ASSERT_TRUE(this->Create("a", "team-a").ok());
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(this->Create("a", "team-a").ok());
  ASSERT_TRUE(this->Create("b", "team-a").ok());
  ASSERT_TRUE(this->Create("c", "team-a").ok());
  EXPECT_FALSE(this->Create("d", "team-a").ok());
  EXPECT_FALSE(this->Create("a", "team-a").ok());

  const core::JobId b = (*this->limited_.jobs->ListJobs(Page(10)))[1].id;
  ASSERT_TRUE(Wait<void>([&](auto done) {
                return this->limited_.jobs->DeleteJob(
                    b, [](const core::Job&) { return core::Ok(); }, std::move(done));
              }).ok());
  EXPECT_TRUE(this->Create("d", "team-a").ok());
  EXPECT_FALSE(this->Create("e", "team-a").ok());
  EXPECT_EQ(this->limited_.jobs->ListJobs(Page(10))->size(), 3u);
}

TYPED_TEST(StoreLimitsContract, TheNamespaceQuotaHoldsUnderABurst) {
  const int created = this->Burst({&this->limited_}, 20, [](StoreInstance& instance, int i, auto answer) {
    instance.jobs->CreateJob(MakeJob("burst " + std::to_string(i), "team-a"),
                             [answer](core::Result<core::Job> job) { answer(job.ok()); });
  });

  EXPECT_EQ(created, 3);
  EXPECT_EQ(this->instance_.jobs->ListJobs(Page(100))->size(), 3u);
}

TYPED_TEST(StoreLimitsContract, RefusesTriggersBeyondTheRunQuotaUntilTheMinuteHasPassed) {
  const core::JobId id = this->Create("job", "team-a")->id;
  for (const char* now : {"2026-11-27T10:00:00Z", "2026-11-27T10:00:10Z", "2026-11-27T10:00:20Z"}) {
    ASSERT_TRUE(this->Trigger(id, now).ok()) << now;
  }

  auto refused = this->Trigger(id, "2026-11-27T10:00:30Z");
  auto later = this->Trigger(id, "2026-11-27T10:01:00.001Z");

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("max_runs_per_job_per_minute"), std::string::npos);
  EXPECT_NE(refused.error().message.find("try again in 30 s"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(later.ok()) << later.error().message;
}

TYPED_TEST(StoreLimitsContract, TheRunQuotaHoldsUnderABurstOfTriggers) {
  const core::JobId id = this->Create("job", "team-a")->id;

  const int triggered = this->Burst({&this->limited_}, 20, [id](StoreInstance& instance, int, auto answer) {
    instance.jobs->TriggerJob(id, At("2026-11-27T10:00:00Z"),
                              [answer](core::Result<core::Run> run) { answer(run.ok()); });
  });

  EXPECT_EQ(triggered, 3);
  EXPECT_EQ(this->instance_.jobs->ListRuns(jobsched::testing::JobRuns(id, 100))->size(), 3u);
}

TYPED_TEST(StoreLimitsContract, TheRunQuotaCountsScheduledRunsToo) {
  auto job = CreateJobAndWait(*this->limited_.jobs, MakeJob("every second", "team-a", "1s"));
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(FireDueJobsAndWait(*this->limited_.jobs, At("2026-11-27T10:00:01Z"), 10, core::PlanFiring).ok());
  ASSERT_TRUE(FireDueJobsAndWait(*this->limited_.jobs, At("2026-11-27T10:00:02Z"), 10, core::PlanFiring).ok());

  auto first = this->Trigger(job->id, "2026-11-27T10:00:02.500Z");
  auto second = this->Trigger(job->id, "2026-11-27T10:00:02.600Z");

  EXPECT_TRUE(first.ok());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, core::ErrorCode::kConflict);
}

TYPED_TEST(StoreLimitsContract, NoLimitsMeansNoQuota) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(CreateJobAndWait(*this->instance_.jobs, MakeJob("free " + std::to_string(i), "team-a")).ok());
  }
  const core::JobId id = this->instance_.jobs->ListJobs(Page(1))->front().id;
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(Wait<core::Run>([&](auto done) {
                  this->instance_.jobs->TriggerJob(id, At("2026-11-27T10:00:00Z"), std::move(done));
                }).ok());
  }
}

// Cluster mode: two nodes (two store instances, each with its writer and
// connections) writing at once. SQLite is one process (DatabaseLock), so
// only PostgreSQL has this case.
class PostgresLimitsTest : public StoreLimitsContract<PostgresBackend> {};

TEST_F(PostgresLimitsTest, TheNamespaceQuotaHoldsUnderABurstFromTwoNodes) {
  StoreInstance second = OpenLimited();

  const int created = Burst({&limited_, &second}, 10, [](StoreInstance& instance, int i, auto answer) {
    instance.jobs->CreateJob(MakeJob("burst " + std::to_string(i), "team-a"),
                             [answer](core::Result<core::Job> job) { answer(job.ok()); });
  });

  EXPECT_EQ(created, 3);
  EXPECT_EQ(instance_.jobs->ListJobs(Page(100))->size(), 3u);
}

TEST_F(PostgresLimitsTest, TheRunQuotaHoldsUnderABurstOfTriggersFromTwoNodes) {
  const core::JobId id = Create("job", "team-a")->id;
  StoreInstance second = OpenLimited();

  const int triggered = Burst({&limited_, &second}, 20, [id](StoreInstance& instance, int, auto answer) {
    instance.jobs->TriggerJob(id, At("2026-11-27T10:00:00Z"),
                              [answer](core::Result<core::Run> run) { answer(run.ok()); });
  });

  EXPECT_EQ(triggered, 3);
  EXPECT_EQ(instance_.jobs->ListRuns(jobsched::testing::JobRuns(id, 100))->size(), 3u);
}

}  // namespace
}  // namespace jobsched::store::testing
