// JobStore::Stats's roll-ups on every store (SQLite, PostgreSQL): runs ended
// or started through the store's own paths are counted by the triggers of
// migration 0021, stay counted after retention deleted them, and the
// roll-ups themselves are pruned past their age.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/job_validation.hpp"
#include "core/stats_window.hpp"
#include "read_stats.hpp"
#include "store/run_queue.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

// The instant every test reads at; its 1 h window starts at 09:00:00.
const char* const kNow = "2026-12-07T10:00:30Z";
const char* const kOwner = "node-a";

template <typename BackendType>
class StatsRollupContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }
  RunQueue& queue() { return *this->instance_.runs; }

  core::JobId Job(const std::string& name, const std::string& job_namespace = "default",
                  const char* created = "2026-12-01T00:00:00Z") {
    core::JobRequest request;
    request.name = name;
    request.every = "1m";
    request.misfire = "skip";
    request.overlap = "allow";
    request.namespace_name = job_namespace;
    auto job = core::ValidateNewJob(request, At(created));
    EXPECT_TRUE(job.ok());
    if (!job.ok()) return 0;
    auto created_job = CreateJobAndWait(store(), *job);
    EXPECT_TRUE(created_job.ok());
    return created_job.ok() ? created_job->id : 0;
  }

  core::RunId Trigger(core::JobId job, core::TimePoint at) {
    auto run = Wait<core::Run>([&](auto done) { store().TriggerJob(job, at, std::move(done)); });
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    return run.ok() ? run->id : 0;
  }

  void Claim(core::TimePoint at) {
    auto claimed = Wait<std::vector<ClaimedRun>>(
        [&](auto done) { queue().ClaimRuns(kOwner, 1000, at, at + 30s, std::move(done)); });
    ASSERT_TRUE(claimed.ok());
  }

  void Finish(core::RunId run, core::RunState state, core::TimePoint at) {
    RunCompletion completion{run, state, at, "", ""};
    ASSERT_TRUE(Wait<void>([&](auto done) { queue().FinishRun(kOwner, completion, std::move(done)); }).ok());
  }

  // A run started and ended at `at` (lateness 0) through the store.
  core::RunId Succeeded(core::JobId job, core::TimePoint at) {
    const core::RunId run = Trigger(job, at);
    Claim(at);
    Finish(run, core::RunState::kSucceeded, at);
    return run;
  }

  StoreStats Read(std::optional<std::string> job_namespace = std::nullopt,
                  core::StatsWindow window = core::StatsWindow::kHour) {
    return ReadStats(store(), At(kNow), std::move(job_namespace), window);
  }

  std::vector<core::StatsBucket> Series(const StoreStats& stats) {
    return core::FillSeries(core::SpanOf(core::StatsWindow::kHour, At(kNow)), stats.buckets);
  }

  core::Result<std::size_t> PruneRollups(core::TimePoint before, std::size_t limit) {
    return Wait<std::size_t>([&](auto done) { store().PruneRunRollupsBefore(before, limit, std::move(done)); });
  }
};

TYPED_TEST_SUITE(StatsRollupContract, Backends);

std::int64_t Count(const StoreStats& stats, core::RunState state) {
  const auto found = stats.runs.find(state);
  return found == stats.runs.end() ? 0 : found->second;
}

TYPED_TEST(StatsRollupContract, CountsRunsEndedThroughEveryPath) {
  const core::JobId job = this->Job("paths", "default", "2026-12-07T09:00:00Z");
  // Skipped at fire: 09:01 to 09:04 were missed; 09:05 is queued, started a
  // minute late and succeeds.
  ASSERT_TRUE(FireDueJobsAndWait(this->store(), At("2026-12-07T09:05:30Z"), 100, core::PlanFiring).ok());
  this->Claim(At("2026-12-07T09:06:00Z"));
  RunListQuery running;
  running.job_id = job;
  running.state = core::RunState::kRunning;
  auto fired = this->store().ListRuns(running);
  ASSERT_TRUE(fired.ok() && fired->size() == 1u);
  this->Finish(fired->front().id, core::RunState::kSucceeded, At("2026-12-07T09:06:10Z"));
  // Cancel of a queued run, and two in one bulk cancel.
  const core::RunId cancelled = this->Trigger(job, At("2026-12-07T09:10:00Z"));
  ASSERT_TRUE(Wait<core::Run>([&](auto done) {
                this->store().CancelRun(job, cancelled, At("2026-12-07T09:10:05Z"), std::move(done));
              }).ok());
  const core::RunId bulk_a = this->Trigger(job, At("2026-12-07T09:20:00Z"));
  const core::RunId bulk_b = this->Trigger(job, At("2026-12-07T09:20:01Z"));
  ASSERT_TRUE(CancelRunsAndWait(this->store(), {bulk_a, bulk_b}, At("2026-12-07T09:20:05Z")).ok());
  // A retried run: its first start (250 ms late) is taken back, its last (2 s late) counts.
  const core::RunId retried = this->Trigger(job, At("2026-12-07T09:30:00Z"));
  this->Claim(At("2026-12-07T09:30:00.250Z"));
  RunCompletion attempt{retried, core::RunState::kFailed, At("2026-12-07T09:30:01Z"), "", "boom"};
  ASSERT_TRUE(Wait<void>([&](auto done) {
                this->queue().RetryRun(kOwner, attempt, At("2026-12-07T09:30:02Z"), std::move(done));
              }).ok());
  this->Claim(At("2026-12-07T09:30:02Z"));
  this->Finish(retried, core::RunState::kFailed, At("2026-12-07T09:30:03Z"));

  const StoreStats stats = this->Read();
  const auto series = this->Series(stats);

  EXPECT_EQ(Count(stats, core::RunState::kSkipped), 4);
  EXPECT_EQ(Count(stats, core::RunState::kSucceeded), 1);
  EXPECT_EQ(Count(stats, core::RunState::kCancelled), 3);
  EXPECT_EQ(Count(stats, core::RunState::kFailed), 1);
  EXPECT_EQ(series[5].runs, 4);  // skipped at 09:05:30
  EXPECT_EQ(series[6].lateness_p50_ms, 60'000);
  EXPECT_EQ(series[30].failed, 1);
  EXPECT_EQ(series[30].lateness_p50_ms, 2'000);
  EXPECT_EQ(series[30].lateness_p99_ms, 2'000);
}

// One claim starts many runs in one statement (PostgreSQL counts their
// lateness per statement since migration 0026): each start must count once,
// however many share a bucket and a lateness. One run 100 ms late and three
// 900 ms late: the median is 900 only if the three count three times.
TYPED_TEST(StatsRollupContract, CountsEveryRunOneClaimStarts) {
  this->Trigger(this->Job("early"), At("2026-12-07T09:12:00Z"));
  for (const char* name : {"late-a", "late-b", "late-c"}) {
    this->Trigger(this->Job(name, "other"), At("2026-12-07T09:11:59.200Z"));
  }
  this->Claim(At("2026-12-07T09:12:00.100Z"));

  const auto all = this->Series(this->Read());
  EXPECT_EQ(all[12].lateness_p50_ms, 900);
  EXPECT_EQ(all[12].lateness_p99_ms, 900);
  const auto early = this->Series(this->Read("default"));
  EXPECT_EQ(early[12].lateness_p50_ms, 100);
  const auto late = this->Series(this->Read("other"));
  EXPECT_EQ(late[12].lateness_p50_ms, 900);
}

TYPED_TEST(StatsRollupContract, KeepsCountingRunsThatRetentionDeleted) {
  const core::JobId job = this->Job("pruned");
  this->Succeeded(job, At("2026-12-07T09:40:00Z"));
  this->Succeeded(job, At("2026-12-07T09:41:00Z"));

  auto deleted =
      Wait<std::size_t>([&](auto done) { this->store().PruneRunsFinishedBefore(At(kNow), 100, std::move(done)); });
  const StoreStats stats = this->Read();

  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2u);
  EXPECT_EQ(Count(stats, core::RunState::kSucceeded), 2);
  EXPECT_EQ(this->Series(stats)[41].lateness_p50_ms, 0);
}

TYPED_TEST(StatsRollupContract, PrunesRollupsOfBucketsBeforeTheGivenTime) {
  const core::JobId job = this->Job("aged");
  this->Succeeded(job, At("2026-11-28T09:00:00Z"));  // more than 8 days before now
  this->Succeeded(job, At("2026-12-07T09:40:00Z"));
  const core::TimePoint before = At(kNow) - 8 * 24h;

  auto first = this->PruneRollups(before, 2);  // a batch: 2 rows
  auto rest = this->PruneRollups(before, 100);
  auto again = this->PruneRollups(before, 100);
  const StoreStats stats = this->Read();

  ASSERT_TRUE(first.ok() && rest.ok() && again.ok()) << (first.ok() ? "" : first.error().message);
  // The old run's row in each of the three widths, of its namespace and of
  // every namespace (''), in both roll-ups.
  EXPECT_EQ(*first, 2u);
  EXPECT_EQ(*rest, 10u);
  EXPECT_EQ(*again, 0u);
  EXPECT_EQ(Count(stats, core::RunState::kSucceeded), 1);
  EXPECT_EQ(this->Series(stats)[40].lateness_p50_ms, 0);
}

TYPED_TEST(StatsRollupContract, KeepsNamespacesApartInOneBucket) {
  const core::JobId mine = this->Job("mine", "team-a");
  const core::JobId theirs = this->Job("theirs", "team-b");
  const core::RunId late = this->Trigger(mine, At("2026-12-07T09:50:00Z"));
  this->Claim(At("2026-12-07T09:50:00.040Z"));
  this->Finish(late, core::RunState::kFailed, At("2026-12-07T09:50:01Z"));
  const core::RunId later = this->Trigger(theirs, At("2026-12-07T09:50:02Z"));
  this->Claim(At("2026-12-07T09:50:02.900Z"));
  this->Finish(later, core::RunState::kSucceeded, At("2026-12-07T09:50:03Z"));

  const auto mine_series = this->Series(this->Read("team-a"));
  const auto their_series = this->Series(this->Read("team-b"));
  const auto all_series = this->Series(this->Read());

  EXPECT_EQ(mine_series[50].runs, 1);
  EXPECT_EQ(mine_series[50].failed, 1);
  EXPECT_EQ(mine_series[50].lateness_p99_ms, 40);
  EXPECT_EQ(their_series[50].runs, 1);
  EXPECT_EQ(their_series[50].failed, 0);
  EXPECT_EQ(their_series[50].lateness_p50_ms, 900);
  EXPECT_EQ(all_series[50].runs, 2);
  EXPECT_EQ(all_series[50].lateness_p50_ms, 40);
  EXPECT_EQ(all_series[50].lateness_p99_ms, 900);
}

TYPED_TEST(StatsRollupContract, CountsAnActiveJobAsFailingWhileItsNewestEndedRunFailed) {
  const core::JobId job = this->Job("flaky");
  const core::RunId older = this->Trigger(job, At("2026-12-07T09:00:00Z"));
  const core::RunId newer = this->Trigger(job, At("2026-12-07T09:01:00Z"));
  this->Claim(At("2026-12-07T09:01:30Z"));

  this->Finish(newer, core::RunState::kFailed, At("2026-12-07T09:02:00Z"));
  const std::int64_t after_failure = this->Read().failing;
  this->Finish(older, core::RunState::kSucceeded, At("2026-12-07T09:03:00Z"));  // older by id: no change
  const std::int64_t after_older = this->Read().failing;
  this->Succeeded(job, At("2026-12-07T09:10:00Z"));
  const std::int64_t after_success = this->Read().failing;
  const core::RunId again = this->Trigger(job, At("2026-12-07T09:20:00Z"));
  this->Claim(At("2026-12-07T09:20:00Z"));
  this->Finish(again, core::RunState::kTimedOut, At("2026-12-07T09:21:00Z"));
  const std::int64_t after_timeout = this->Read().failing;
  ASSERT_TRUE(ChangeJobsAndWait(this->store(), {job}, JobAction::kPause, At("2026-12-07T09:30:00Z")).ok());
  const std::int64_t when_paused = this->Read().failing;

  EXPECT_EQ(after_failure, 1);
  EXPECT_EQ(after_older, 1);
  EXPECT_EQ(after_success, 0);
  EXPECT_EQ(after_timeout, 1);
  EXPECT_EQ(when_paused, 0);
}

TYPED_TEST(StatsRollupContract, ReadsTheWeekFromItsOwnBuckets) {
  const core::JobId job = this->Job("weekly");
  this->Succeeded(job, At("2026-12-01T10:00:00Z"));
  this->Succeeded(job, At("2026-12-07T09:40:00Z"));

  const StoreStats week = this->Read(std::nullopt, core::StatsWindow::kWeek);
  const StoreStats day = this->Read(std::nullopt, core::StatsWindow::kDay);

  EXPECT_EQ(Count(week, core::RunState::kSucceeded), 2);
  EXPECT_EQ(Count(day, core::RunState::kSucceeded), 1);
}

TYPED_TEST(StatsRollupContract, RefusesBucketsTheRollupsDoNotKeep) {
  StatsQuery query;
  query.from = At("2026-12-07T09:00:00Z");
  query.to = At(kNow);
  query.bucket_width = 30s;
  query.now = At(kNow);

  auto stats = this->store().Stats(query);
  query.bucket_width = 60s;
  query.from = At("2026-12-07T09:00:01Z");
  auto unaligned = this->store().Stats(query);

  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.error().code, core::ErrorCode::kInvalidArgument);
  ASSERT_FALSE(unaligned.ok());
  EXPECT_EQ(unaligned.error().code, core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace jobsched::store::testing
