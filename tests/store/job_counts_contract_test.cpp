// GET /stats's active and paused jobs on every store (SQLite, PostgreSQL):
// the counts migration 0024's triggers keep follow every path that creates,
// pauses, resumes or deletes a job, per namespace and for all, and a fire
// (which moves next_run) leaves them alone.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "read_stats.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

const char* const kNow = "2026-12-07T10:00:30Z";

template <typename BackendType>
class JobCountsContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }

  core::JobId Job(const std::string& name, const std::string& job_namespace, bool active = true) {
    core::JobRequest request;
    request.name = name;
    request.every = "1m";
    request.misfire = "skip";
    request.namespace_name = job_namespace;
    request.is_active = active;
    auto job = core::ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
    EXPECT_TRUE(job.ok());
    if (!job.ok()) return 0;
    auto created = CreateJobAndWait(store(), *job);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? created->id : 0;
  }

  void SetActive(core::JobId id, bool active) {
    auto updated = Wait<core::Job>([&](auto done) {
      store().UpdateJob(
          id,
          [active](const core::Job& current) -> core::Result<core::Job> {
            auto changed = JobWithActive(current, active, At(kNow));
            if (!changed) return changed.error();
            return changed->value_or(current);
          },
          std::move(done));
    });
    ASSERT_TRUE(updated.ok()) << updated.error().message;
  }

  void Delete(core::JobId id) {
    auto deleted = Wait<void>([&](auto done) {
      store().DeleteJob(
          id, [](const core::Job&) -> core::Result<void> { return core::Ok(); }, std::move(done));
    });
    ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  }

  // {active, paused} as GET /stats reads them.
  std::pair<std::int64_t, std::int64_t> Counts(std::optional<std::string> job_namespace = std::nullopt) {
    const StoreStats stats = ReadStats(store(), At(kNow), std::move(job_namespace));
    return {stats.jobs_active, stats.jobs_paused};
  }
};

TYPED_TEST_SUITE(JobCountsContract, Backends);

using Pair = std::pair<std::int64_t, std::int64_t>;

TYPED_TEST(JobCountsContract, CreatesAndDeletesCountInTheirNamespace) {
  const core::JobId a1 = this->Job("a1", "team-a");
  this->Job("a2", "team-a");
  this->Job("a3", "team-a", false);
  this->Job("b1", "team-b");

  EXPECT_EQ(this->Counts(), (Pair{3, 1}));
  EXPECT_EQ(this->Counts("team-a"), (Pair{2, 1}));
  EXPECT_EQ(this->Counts("team-b"), (Pair{1, 0}));
  EXPECT_EQ(this->Counts("team-c"), (Pair{0, 0}));

  this->Delete(a1);

  EXPECT_EQ(this->Counts(), (Pair{2, 1}));
  EXPECT_EQ(this->Counts("team-a"), (Pair{1, 1}));
}

TYPED_TEST(JobCountsContract, PauseAndResumeMoveAJobBetweenTheCounts) {
  const core::JobId job = this->Job("flip", "team-a");
  this->Job("other", "team-a");

  this->SetActive(job, false);
  EXPECT_EQ(this->Counts("team-a"), (Pair{1, 1}));

  this->SetActive(job, true);
  EXPECT_EQ(this->Counts("team-a"), (Pair{2, 0}));
}

TYPED_TEST(JobCountsContract, BulkChangesCountEachJobTheyTouchOnce) {
  const core::JobId a = this->Job("a", "team-a");
  const core::JobId b = this->Job("b", "team-a");
  const core::JobId c = this->Job("c", "team-a", false);

  // c is already paused: unchanged, and not counted again.
  auto paused = ChangeJobsAndWait(this->store(), {a, b, c}, JobAction::kPause, At(kNow));
  ASSERT_TRUE(paused.ok()) << paused.error().message;
  EXPECT_EQ(this->Counts("team-a"), (Pair{0, 3}));

  auto deleted = ChangeJobsAndWait(this->store(), {a, c}, JobAction::kDelete, At(kNow));
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(this->Counts("team-a"), (Pair{0, 1}));

  auto resumed = ChangeJobsAndWait(this->store(), {b}, JobAction::kResume, At(kNow));
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(this->Counts(), (Pair{1, 0}));
}

TYPED_TEST(JobCountsContract, FiringAndResumingAtTheEndOfAPauseKeepTheCountsTrue) {
  this->Job("fires", "team-a");
  const core::JobId until = this->Job("until", "team-a");
  auto paused = Wait<core::Job>([&](auto done) {
    this->store().UpdateJob(
        until,
        [](const core::Job& current) -> core::Result<core::Job> {
          core::Job job = current;
          job.is_active = false;
          job.next_run.reset();
          job.paused_until = At("2026-12-07T09:30:00Z");
          return job;
        },
        std::move(done));
  });
  ASSERT_TRUE(paused.ok()) << paused.error().message;
  EXPECT_EQ(this->Counts(), (Pair{1, 1}));

  auto fired = FireDueJobsAndWait(this->store(), At(kNow), 100, core::PlanFiring);
  ASSERT_TRUE(fired.ok()) << fired.error().message;
  EXPECT_EQ(this->Counts(), (Pair{1, 1}));

  auto resumed = ResumePausedJobsAndWait(this->store(), At(kNow), 100);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(resumed->size(), 1U);
  EXPECT_EQ(this->Counts(), (Pair{2, 0}));
}

}  // namespace
}  // namespace jobsched::store::testing
