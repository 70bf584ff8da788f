// The change feed in the store contract, on every store (SQLite, PostgreSQL):
// committed changes reach subscribers after the commit.
#include "store/change_feed.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

// What a subscriber heard, for the test thread to wait on.
class Heard {
 public:
  void Add(const StoreChange& change) {
    std::lock_guard lock(mutex_);
    changes_.push_back(change);
    changed_.notify_all();
  }

  // The first change of `kind` heard within `timeout`, or nullopt.
  std::optional<StoreChange> WaitFor(StoreChange::Kind kind, std::chrono::milliseconds timeout = 5s) {
    return WaitFor([kind](const StoreChange& change) { return change.kind == kind; }, timeout);
  }

  // The first event (kJob, kRun) with `action` heard within `timeout`, or nullopt.
  std::optional<StoreChange> WaitForEvent(StoreChange::Kind kind, StoreChange::Action action,
                                          std::chrono::milliseconds timeout = 5s) {
    return WaitFor([kind, action](const StoreChange& change) { return change.kind == kind && change.action == action; },
                   timeout);
  }

  std::optional<StoreChange> WaitFor(const std::function<bool(const StoreChange&)>& wanted,
                                     std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<StoreChange> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const StoreChange& change : changes_) {
        if (!found && wanted(change)) found = change;
      }
      return found.has_value();
    });
    return found;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<StoreChange> changes_;
};

core::Job MakeJob(bool active = true) {
  core::JobRequest request;
  request.name = "watched";
  request.every = "1h";
  request.overlap = "allow";
  request.is_active = active;
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

template <typename BackendType>
class ChangeFeedContract : public StoreContractTest<BackendType> {
 protected:
  void SetUp() override {
    StoreContractTest<BackendType>::SetUp();
    subscription_ = this->instance_.changes->Subscribe([this](const StoreChange& change) { heard_.Add(change); });
  }
  void TearDown() override { subscription_.reset(); }

  JobStore& store() { return *this->instance_.jobs; }

  Heard heard_;
  std::unique_ptr<ChangeFeed::Subscription> subscription_;
};

TYPED_TEST_SUITE(ChangeFeedContract, Backends);

TYPED_TEST(ChangeFeedContract, ACreatedJobIsAnnouncedWithItsNextRun) {
  auto created = CreateJobAndWait(this->store(), MakeJob());
  ASSERT_TRUE(created.ok());

  const auto change = this->heard_.WaitFor(StoreChange::Kind::kJobScheduled);

  ASSERT_TRUE(change.has_value()) << "no kJobScheduled within 5 s";
  EXPECT_EQ(change->next_run, *created->next_run);
}

TYPED_TEST(ChangeFeedContract, AnUpdatedJobIsAnnouncedWithItsNewNextRun) {
  auto created = CreateJobAndWait(this->store(), MakeJob(false));
  ASSERT_TRUE(created.ok());
  const core::TimePoint moved = At("2026-12-01T00:00:00Z");

  auto updated = Wait<core::Job>([&](auto done) {
    this->store().UpdateJob(
        created->id,
        [moved](const core::Job& current) -> core::Result<core::Job> {
          core::Job changed = current;
          changed.is_active = true;
          changed.next_run = moved;
          changed.version += 1;
          return changed;
        },
        std::move(done));
  });
  ASSERT_TRUE(updated.ok());

  const auto change = this->heard_.WaitFor(StoreChange::Kind::kJobScheduled);
  ASSERT_TRUE(change.has_value()) << "no kJobScheduled within 5 s";
  EXPECT_EQ(change->next_run, moved);
}

TYPED_TEST(ChangeFeedContract, ATriggeredRunIsAnnouncedAsQueued) {
  auto created = CreateJobAndWait(this->store(), MakeJob());
  ASSERT_TRUE(created.ok());

  auto run = Wait<core::Run>(
      [&](auto done) { this->store().TriggerJob(created->id, At("2026-11-27T10:00:00Z"), std::move(done)); });
  ASSERT_TRUE(run.ok());

  EXPECT_TRUE(this->heard_.WaitFor(StoreChange::Kind::kRunsQueued).has_value()) << "no kRunsQueued within 5 s";
}

TYPED_TEST(ChangeFeedContract, FiredRunsAreAnnouncedAsQueued) {
  auto created = CreateJobAndWait(this->store(), MakeJob());
  ASSERT_TRUE(created.ok());

  auto fired = FireDueJobsAndWait(this->store(), *created->next_run, 10,
                                  [](const core::Job& job, core::TimePoint now, std::optional<core::RunId> unfinished) {
                                    return core::PlanFiring(job, now, unfinished);
                                  });
  ASSERT_TRUE(fired.ok());
  ASSERT_EQ(fired->runs_created, 1u);

  EXPECT_TRUE(this->heard_.WaitFor(StoreChange::Kind::kRunsQueued).has_value()) << "no kRunsQueued within 5 s";
}

TYPED_TEST(ChangeFeedContract, EveryChangeToAJobIsAnEventNamingItsNamespace) {
  auto created = CreateJobAndWait(this->store(), MakeJob());
  ASSERT_TRUE(created.ok());
  auto deleted = Wait<void>([&](auto done) {
    this->store().DeleteJob(
        created->id, [](const core::Job&) { return core::Ok(); }, std::move(done));
  });
  ASSERT_TRUE(deleted.ok());

  const auto created_event = this->heard_.WaitForEvent(StoreChange::Kind::kJob, StoreChange::Action::kCreated);
  const auto deleted_event = this->heard_.WaitForEvent(StoreChange::Kind::kJob, StoreChange::Action::kDeleted);

  ASSERT_TRUE(created_event.has_value());
  EXPECT_EQ(created_event->job_id, created->id);
  EXPECT_EQ(created_event->namespace_name, "default");
  ASSERT_TRUE(deleted_event.has_value());
  EXPECT_EQ(deleted_event->job_id, created->id);
  EXPECT_EQ(deleted_event->namespace_name, "default");
}

TYPED_TEST(ChangeFeedContract, ARunIsAnEventWhenQueuedStartedAndFinished) {
  auto created = CreateJobAndWait(this->store(), MakeJob());
  ASSERT_TRUE(created.ok());
  auto run = Wait<core::Run>(
      [&](auto done) { this->store().TriggerJob(created->id, At("2026-11-27T10:00:00Z"), std::move(done)); });
  ASSERT_TRUE(run.ok());
  RunQueue& queue = *this->instance_.runs;
  auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
    queue.ClaimRuns("node-a", 10, At("2026-11-27T10:00:01Z"), At("2026-11-27T10:01:00Z"), std::move(done));
  });
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  RunCompletion completion;
  completion.run_id = run->id;
  completion.state = core::RunState::kFailed;
  completion.finished_at = At("2026-11-27T10:00:02Z");
  completion.error = "boom";
  auto finished = Wait<void>([&](auto done) { queue.FinishRun("node-a", std::move(completion), std::move(done)); });
  ASSERT_TRUE(finished.ok()) << finished.error().message;

  const auto queued = this->heard_.WaitForEvent(StoreChange::Kind::kRun, StoreChange::Action::kQueued);
  const auto started = this->heard_.WaitForEvent(StoreChange::Kind::kRun, StoreChange::Action::kStarted);
  const auto ended = this->heard_.WaitForEvent(StoreChange::Kind::kRun, StoreChange::Action::kFinished);

  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->run_id, run->id);
  EXPECT_EQ(queued->job_id, created->id);
  EXPECT_EQ(queued->state, "queued");
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->run_id, run->id);
  EXPECT_EQ(started->state, "running");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->run_id, run->id);
  EXPECT_EQ(ended->job_id, created->id);
  EXPECT_EQ(ended->state, "failed");
}

}  // namespace
}  // namespace jobsched::store::testing
