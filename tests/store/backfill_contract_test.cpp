// BackfillJob's contract, with the unique occurrence key it shares with
// firing and the overlap rules its runs are claimed by: every store (SQLite,
// PostgreSQL) passes these.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/backfill.hpp"
#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store/job_store.hpp"
#include "store/run_queue.hpp"
#include "store_backends.hpp"
#include "testing/run_queries.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

template <typename BackendType>
class BackfillContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }
  RunQueue& queue() { return *this->instance_.runs; }

  // A job created at 10:00 firing every minute (next_run 10:01), so its
  // occurrences are on whole minutes.
  core::JobId CreateJob(std::optional<std::string> overlap = std::nullopt, bool active = true) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = "1m";
    request.overlap = std::move(overlap);
    request.is_active = active;
    auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
    EXPECT_TRUE(job.ok());
    auto stored = CreateJobAndWait(store(), *job);
    EXPECT_TRUE(stored.ok());
    return stored.ok() ? stored->id : 0;
  }

  core::Result<BackfillResult> Backfill(core::JobId id, const char* from, const char* to,
                                        const char* now = "2026-11-27T10:30:00Z") {
    return BackfillJobAndWait(store(), id, At(now),
                              [from = At(from), to = At(to), now = At(now)](const core::Job& job) {
                                return core::BackfillOccurrences(job, from, to, now);
                              });
  }

  std::vector<core::Run> Runs(core::JobId id, std::optional<core::RunTrigger> trigger = std::nullopt) {
    RunListQuery query = jobsched::testing::JobRuns(id, 100);
    query.trigger = trigger;
    auto runs = store().ListRuns(query);
    EXPECT_TRUE(runs.ok());
    return runs.ok() ? *runs : std::vector<core::Run>{};
  }

  std::vector<ClaimedRun> Claim(const char* now = "2026-11-27T10:30:00Z") {
    auto claimed = Wait<std::vector<ClaimedRun>>(
        [&](auto done) { queue().ClaimRuns("node-a", 100, At(now), At(now) + 30s, std::move(done)); });
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? *claimed : std::vector<ClaimedRun>{};
  }

  void Finish(core::RunId id) {
    RunCompletion completion;
    completion.run_id = id;
    completion.state = core::RunState::kSucceeded;
    completion.finished_at = At("2026-11-27T10:30:01Z");
    auto finished = Wait<void>([&](auto done) { queue().FinishRun("node-a", completion, std::move(done)); });
    EXPECT_TRUE(finished.ok()) << finished.error().message;
  }
};

TYPED_TEST_SUITE(BackfillContract, Backends);

TYPED_TEST(BackfillContract, QueuesOneBackfillRunPerOccurrenceOldestFirst) {
  const core::JobId job = this->CreateJob();

  auto backfilled = this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:05:00Z");

  ASSERT_TRUE(backfilled.ok()) << backfilled.error().message;
  EXPECT_EQ(backfilled->created, 5u);
  EXPECT_EQ(backfilled->existing, 0u);
  const std::vector<core::Run> runs = this->Runs(job);  // newest id first
  ASSERT_EQ(runs.size(), 5u);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].scheduled_for, At("2026-11-27T09:04:00Z") - std::chrono::minutes{i});
    EXPECT_EQ(runs[i].trigger, core::RunTrigger::kBackfill);
    EXPECT_EQ(runs[i].state, core::RunState::kQueued);
    EXPECT_EQ(runs[i].created_at, At("2026-11-27T10:30:00Z"));
  }
  EXPECT_EQ(this->Runs(job, core::RunTrigger::kBackfill).size(), 5u);
  EXPECT_TRUE(this->Runs(job, core::RunTrigger::kSchedule).empty());
  // The job itself is not changed.
  EXPECT_EQ(this->store().GetJob(job)->version, 1);
  EXPECT_EQ(this->store().GetJob(job)->next_run, At("2026-11-27T10:01:00Z"));
}

TYPED_TEST(BackfillContract, RepeatingABackfillCreatesNothingAndCountsWhatExists) {
  const core::JobId job = this->CreateJob();
  ASSERT_TRUE(this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:10:00Z").ok());

  auto again = this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:10:00Z");
  auto overlapping = this->Backfill(job, "2026-11-27T09:05:00Z", "2026-11-27T09:15:00Z");

  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created, 0u);
  EXPECT_EQ(again->existing, 10u);
  ASSERT_TRUE(overlapping.ok());
  EXPECT_EQ(overlapping->created, 5u);
  EXPECT_EQ(overlapping->existing, 5u);
  EXPECT_EQ(this->Runs(job).size(), 15u);
}

TYPED_TEST(BackfillContract, AnOccurrenceIsRunOnceWhetherFiredOrBackfilledFirst) {
  const core::JobId job = this->CreateJob("allow");
  // 10:01 fires normally; then a backfill of 10:00 to 10:03 meets it.
  auto fired = FireDueJobsAndWait(this->store(), At("2026-11-27T10:01:00.005Z"), 100, core::PlanFiring);
  ASSERT_TRUE(fired.ok());
  ASSERT_EQ(fired->runs_created, 1u);

  auto backfilled = this->Backfill(job, "2026-11-27T10:00:00Z", "2026-11-27T10:03:00Z", "2026-11-27T10:03:00Z");
  // Then 10:02, backfilled already, comes due for the scheduler.
  auto fired_again = FireDueJobsAndWait(this->store(), At("2026-11-27T10:02:00.005Z"), 100, core::PlanFiring);

  ASSERT_TRUE(backfilled.ok()) << backfilled.error().message;
  EXPECT_EQ(backfilled->created, 2u);  // 10:00 and 10:02
  EXPECT_EQ(backfilled->existing, 1u);
  ASSERT_TRUE(fired_again.ok());
  EXPECT_EQ(fired_again->runs_created, 0u);
  EXPECT_EQ(this->store().GetJob(job)->next_run, At("2026-11-27T10:03:00Z"));
  const std::vector<core::Run> scheduled = this->Runs(job, core::RunTrigger::kSchedule);
  ASSERT_EQ(scheduled.size(), 1u);
  EXPECT_EQ(scheduled[0].scheduled_for, At("2026-11-27T10:01:00Z"));
  EXPECT_EQ(this->Runs(job).size(), 3u);
}

TYPED_TEST(BackfillContract, AManualRunAtTheSameInstantIsNotTheOccurrence) {
  const core::JobId job = this->CreateJob("allow");
  auto manual =
      Wait<core::Run>([&](auto done) { this->store().TriggerJob(job, At("2026-11-27T09:00:00Z"), std::move(done)); });
  ASSERT_TRUE(manual.ok());

  auto backfilled = this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:01:00Z");

  ASSERT_TRUE(backfilled.ok());
  EXPECT_EQ(backfilled->created, 1u);
  EXPECT_EQ(this->Runs(job).size(), 2u);
}

TYPED_TEST(BackfillContract, ARefusedRangeWritesNothing) {
  const core::JobId job = this->CreateJob();

  auto future = this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T10:31:00Z");

  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(future.error().field, "to");
  EXPECT_TRUE(this->Runs(job).empty());
}

TYPED_TEST(BackfillContract, AMissingJobIsNotFound) {
  auto missing = this->Backfill(424242, "2026-11-27T09:00:00Z", "2026-11-27T09:05:00Z");

  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(BackfillContract, APausedJobCanBeBackfilled) {
  const core::JobId job = this->CreateJob(std::nullopt, /*active=*/false);

  auto backfilled = this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:03:00Z");

  ASSERT_TRUE(backfilled.ok()) << backfilled.error().message;
  EXPECT_EQ(backfilled->created, 3u);
}

// Overlap skip forbids running alongside: backfill runs wait their turn,
// oldest first, as under queue.
TYPED_TEST(BackfillContract, BackfillRunsOfASkipJobRunOneAtATimeInOrder) {
  for (const char* overlap : {"skip", "queue"}) {
    const core::JobId job = this->CreateJob(overlap);
    ASSERT_TRUE(this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:03:00Z").ok());

    std::vector<core::TimePoint> started;
    for (int round = 0; round < 3; ++round) {
      const std::vector<ClaimedRun> claimed = this->Claim();
      ASSERT_EQ(claimed.size(), 1u) << overlap << " round " << round;
      started.push_back(claimed[0].run.scheduled_for);
      EXPECT_TRUE(this->Claim().empty()) << overlap << ": nothing more while it runs";
      this->Finish(claimed[0].run.id);
    }

    EXPECT_EQ(started, (std::vector<core::TimePoint>{At("2026-11-27T09:00:00Z"), At("2026-11-27T09:01:00Z"),
                                                     At("2026-11-27T09:02:00Z")}))
        << overlap;
  }
}

TYPED_TEST(BackfillContract, UnderSkipTheJobsOwnOccurrencesAreSkippedWhileABackfillRunIsUnfinished) {
  const core::JobId job = this->CreateJob("skip");
  ASSERT_TRUE(this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:02:00Z").ok());

  auto fired = FireDueJobsAndWait(this->store(), At("2026-11-27T10:01:00.005Z"), 100, core::PlanFiring);

  ASSERT_TRUE(fired.ok());
  EXPECT_EQ(fired->runs_created, 0u);
  const std::vector<core::Run> scheduled = this->Runs(job, core::RunTrigger::kSchedule);
  ASSERT_EQ(scheduled.size(), 1u);
  EXPECT_EQ(scheduled[0].state, core::RunState::kSkipped);
  EXPECT_EQ(scheduled[0].scheduled_for, At("2026-11-27T10:01:00Z"));
}

TYPED_TEST(BackfillContract, BackfillRunsOfAnAllowJobRunTogether) {
  const core::JobId job = this->CreateJob("allow");
  ASSERT_TRUE(this->Backfill(job, "2026-11-27T09:00:00Z", "2026-11-27T09:03:00Z").ok());

  EXPECT_EQ(this->Claim().size(), 3u);
}

}  // namespace
}  // namespace jobsched::store::testing
