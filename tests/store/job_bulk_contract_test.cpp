// Bulk changes in the store contract (JobStore::ChangeJobs, CancelRuns), on
// every store (SQLite, PostgreSQL): the rules of the single operations, the
// accounting of each id, one transaction per batch, events after the commit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "core/job_validation.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

core::Job MakeJob(const std::string& name, bool active = true, const std::string& job_namespace = "default",
                  const char* overlap = "allow") {
  core::JobRequest request;
  request.name = name;
  request.every = "1h";
  request.overlap = overlap;
  request.is_active = active;
  request.namespace_name = job_namespace;
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:00:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

// The job events a subscriber heard, for the test thread to wait on.
class HeardEvents {
 public:
  void Add(const StoreChange& change) {
    if (change.kind != StoreChange::Kind::kJob && change.kind != StoreChange::Kind::kRun) return;
    std::lock_guard lock(mutex_);
    events_.push_back(change);
    changed_.notify_all();
  }
  // Waits up to 5 s for `count` events with `action`; answers their job ids.
  std::vector<std::int64_t> JobIdsOf(StoreChange::Action action, std::size_t count) {
    std::unique_lock lock(mutex_);
    std::vector<std::int64_t> ids;
    changed_.wait_for(lock, 5s, [&] {
      ids.clear();
      for (const StoreChange& change : events_) {
        if (change.action == action) ids.push_back(change.job_id);
      }
      return ids.size() >= count;
    });
    std::sort(ids.begin(), ids.end());
    return ids;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<StoreChange> events_;
};

template <typename BackendType>
class BulkChangeContract : public StoreContractTest<BackendType> {
 protected:
  void SetUp() override {
    StoreContractTest<BackendType>::SetUp();
    subscription_ = this->instance_.changes->Subscribe([this](const StoreChange& change) { heard_.Add(change); });
  }
  void TearDown() override { subscription_.reset(); }

  JobStore& store() { return *this->instance_.jobs; }

  core::JobId Create(core::Job job) {
    auto created = CreateJobAndWait(store(), std::move(job));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? created->id : 0;
  }

  core::Run Trigger(core::JobId id, core::TimePoint now) {
    auto run = Wait<core::Run>([&](auto done) { store().TriggerJob(id, now, std::move(done)); });
    EXPECT_TRUE(run.ok()) << run.error().message;
    return run.ok() ? *run : core::Run{};
  }

  // Makes the database fail (not refuse) an update of job `id`, as a disk or
  // server error would.
  void BreakUpdatesOf(core::JobId id) {
    const std::string job = std::to_string(id);
    const std::string sql =
        std::is_same_v<BackendType, SqliteBackend>
            ? "CREATE TRIGGER boom AFTER UPDATE ON jobs WHEN new.id = " + job +
                  " BEGIN SELECT abs(-9223372036854775807 - 1); END;"
            : "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$; "
              "CREATE TRIGGER boom BEFORE UPDATE ON jobs FOR EACH ROW WHEN (NEW.id = " +
                  job + ") EXECUTE FUNCTION boom();";
    ASSERT_TRUE(this->backend_->ExecuteForTest(sql).ok());
  }

  HeardEvents heard_;
  std::unique_ptr<ChangeFeed::Subscription> subscription_;
};

TYPED_TEST_SUITE(BulkChangeContract, Backends);

const core::TimePoint kNow = At("2026-11-27T12:34:00Z");

TYPED_TEST(BulkChangeContract, PausesActiveJobsAndCountsPausedOnesAsUnchanged) {
  const core::JobId a = this->Create(MakeJob("a"));
  const core::JobId b = this->Create(MakeJob("b"));
  const core::JobId paused = this->Create(MakeJob("c", false));

  auto outcome = ChangeJobsAndWait(this->store(), {a, b, paused}, JobAction::kPause, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(outcome->unchanged, (std::vector<std::int64_t>{paused}));
  EXPECT_TRUE(outcome->failed.empty());
  for (const core::JobId id : {a, b}) {
    auto job = this->store().GetJob(id);
    ASSERT_TRUE(job.ok());
    EXPECT_FALSE(job->is_active);
    EXPECT_FALSE(job->next_run.has_value());
    EXPECT_EQ(job->version, 2);
  }
  EXPECT_EQ(this->store().GetJob(paused)->version, 1);
  EXPECT_EQ(this->heard_.JobIdsOf(StoreChange::Action::kUpdated, 2), (std::vector<std::int64_t>{a, b}));
}

TYPED_TEST(BulkChangeContract, AnswersEachIdOnceInAscendingOrder) {
  const core::JobId a = this->Create(MakeJob("a"));
  const core::JobId b = this->Create(MakeJob("b"));

  auto outcome = ChangeJobsAndWait(this->store(), {b, a, b}, JobAction::kPause, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{a, b}));
  EXPECT_TRUE(outcome->unchanged.empty());
  EXPECT_EQ(this->store().GetJob(b)->version, 2);
}

TYPED_TEST(BulkChangeContract, ResumeRecomputesNextRunFromNow) {
  const core::JobId paused = this->Create(MakeJob("a", false));
  const core::JobId active = this->Create(MakeJob("b"));

  auto outcome = ChangeJobsAndWait(this->store(), {paused, active}, JobAction::kResume, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{paused}));
  EXPECT_EQ(outcome->unchanged, (std::vector<std::int64_t>{active}));
  auto resumed = this->store().GetJob(paused);
  ASSERT_TRUE(resumed.ok());
  EXPECT_TRUE(resumed->is_active);
  EXPECT_EQ(resumed->next_run, kNow + 1h);
}

TYPED_TEST(BulkChangeContract, TriggerQueuesAManualRunAndRefusesAnOverlappingOneByItself) {
  const core::JobId free = this->Create(MakeJob("free"));
  const core::JobId busy = this->Create(MakeJob("busy", true, "default", "skip"));
  const core::Run unfinished = this->Trigger(busy, kNow - 1min);

  auto outcome = ChangeJobsAndWait(this->store(), {free, busy}, JobAction::kTrigger, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{free}));
  ASSERT_EQ(outcome->failed.size(), 1u);
  EXPECT_EQ(outcome->failed[0].id, busy);
  EXPECT_NE(outcome->failed[0].error.message.find("run " + std::to_string(unfinished.id)), std::string::npos);
  RunListQuery runs;
  runs.job_id = free;
  auto queued = this->store().ListRuns(runs);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ(queued->front().trigger, core::RunTrigger::kManual);
  EXPECT_EQ(queued->front().scheduled_for, kNow);
}

TYPED_TEST(BulkChangeContract, TriggerOverTheRunQuotaFailsThatJobOnly) {
  auto limited = this->backend_->OpenWithLimits(StoreLimits{.max_runs_per_job_per_minute = 1});
  ASSERT_TRUE(limited.ok());
  JobStore& store = *limited->jobs;
  const core::JobId full = this->Create(MakeJob("full"));
  const core::JobId empty = this->Create(MakeJob("empty"));
  this->Trigger(full, kNow - 10s);

  auto outcome = ChangeJobsAndWait(store, {full, empty}, JobAction::kTrigger, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{empty}));
  ASSERT_EQ(outcome->failed.size(), 1u);
  EXPECT_EQ(outcome->failed[0].id, full);
  EXPECT_NE(outcome->failed[0].error.message.find("max_runs_per_job_per_minute"), std::string::npos);
}

TYPED_TEST(BulkChangeContract, DeleteRemovesJobsWithTheirRunsAndAMissingOneFails) {
  const core::JobId a = this->Create(MakeJob("a"));
  const core::Run run = this->Trigger(a, kNow);
  const core::JobId missing = a + 1000;

  auto outcome = ChangeJobsAndWait(this->store(), {a, missing}, JobAction::kDelete, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{a}));
  ASSERT_EQ(outcome->failed.size(), 1u);
  EXPECT_EQ(outcome->failed[0].id, missing);
  EXPECT_EQ(outcome->failed[0].error.code, core::ErrorCode::kNotFound);
  EXPECT_EQ(this->store().GetJob(a).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(this->store().GetRun(run.id).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(this->heard_.JobIdsOf(StoreChange::Action::kDeleted, 1), (std::vector<std::int64_t>{a}));
}

TYPED_TEST(BulkChangeContract, AJobOfAnotherNamespaceFailsAsAMissingOneAndIsLeftAlone) {
  const core::JobId own = this->Create(MakeJob("own", true, "team-a"));
  const core::JobId other = this->Create(MakeJob("other", true, "team-b"));

  auto outcome = ChangeJobsAndWait(this->store(), {own, other}, JobAction::kDelete, kNow, "team-a");

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{own}));
  ASSERT_EQ(outcome->failed.size(), 1u);
  EXPECT_EQ(outcome->failed[0].id, other);
  EXPECT_EQ(outcome->failed[0].error.message, JobNotFound(other).message);
  EXPECT_TRUE(this->store().GetJob(other).ok());
}

TYPED_TEST(BulkChangeContract, ADatabaseErrorFailsTheWholeBatchAndWritesNothing) {
  const core::JobId a = this->Create(MakeJob("a"));
  const core::JobId b = this->Create(MakeJob("b"));
  const core::JobId broken = this->Create(MakeJob("broken"));
  this->BreakUpdatesOf(broken);

  auto outcome = ChangeJobsAndWait(this->store(), {a, b, broken}, JobAction::kPause, kNow);

  ASSERT_FALSE(outcome.ok());
  EXPECT_FALSE(IsBulkRefusal(outcome.error())) << outcome.error().message;
  for (const core::JobId id : {a, b, broken}) {
    auto job = this->store().GetJob(id);
    ASSERT_TRUE(job.ok());
    EXPECT_TRUE(job->is_active) << "job " << id;
    EXPECT_EQ(job->version, 1) << "job " << id;
  }
}

TYPED_TEST(BulkChangeContract, CancelEndsQueuedRunsAndCountsEndedOnesAsUnchanged) {
  const core::JobId job = this->Create(MakeJob("a"));
  const core::Run first = this->Trigger(job, kNow - 2min);
  const core::Run second = this->Trigger(job, kNow - 1min);
  ASSERT_TRUE(CancelRunsAndWait(this->store(), {first.id}, kNow - 30s).ok());
  const core::RunId missing = second.id + 1000;

  auto outcome = CancelRunsAndWait(this->store(), {first.id, second.id, missing}, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{second.id}));
  EXPECT_EQ(outcome->unchanged, (std::vector<std::int64_t>{first.id}));
  ASSERT_EQ(outcome->failed.size(), 1u);
  EXPECT_EQ(outcome->failed[0].id, missing);
  EXPECT_TRUE(outcome->stopping.empty());
  auto cancelled = this->store().GetRun(second.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, core::RunState::kCancelled);
  EXPECT_EQ(cancelled->finished_at, kNow);
}

TYPED_TEST(BulkChangeContract, CancelOfARunningRunAsksItToStop) {
  const core::JobId job = this->Create(MakeJob("a"));
  const core::Run run = this->Trigger(job, kNow - 1min);
  auto claimed = Wait<std::vector<ClaimedRun>>(
      [&](auto done) { this->instance_.runs->ClaimRuns("node-a", 10, kNow - 50s, kNow + 1min, std::move(done)); });
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);

  auto outcome = CancelRunsAndWait(this->store(), {run.id}, kNow);

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{run.id}));
  EXPECT_EQ(outcome->stopping, (std::vector<core::RunId>{run.id}));
  auto stopping = this->store().GetRun(run.id);
  ASSERT_TRUE(stopping.ok());
  EXPECT_EQ(stopping->state, core::RunState::kRunning);
  EXPECT_EQ(stopping->cancel_requested_at, kNow);
}

TYPED_TEST(BulkChangeContract, CancelOfARunOfAnotherNamespaceFailsAsAMissingOne) {
  const core::JobId other = this->Create(MakeJob("other", true, "team-b"));
  const core::Run run = this->Trigger(other, kNow - 1min);

  auto outcome = CancelRunsAndWait(this->store(), {run.id}, kNow, "team-a");

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  ASSERT_EQ(outcome->failed.size(), 1u);
  EXPECT_EQ(outcome->failed[0].error.message, RunNotFound(run.id).message);
  EXPECT_EQ(this->store().GetRun(run.id)->state, core::RunState::kQueued);
}

}  // namespace
}  // namespace jobsched::store::testing
