// The change feed in the store contract, on every store (SQLite, PostgreSQL):
// committed changes reach subscribers after the commit.
#include "store/change_feed.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
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
    std::unique_lock lock(mutex_);
    std::optional<StoreChange> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const StoreChange& change : changes_) {
        if (change.kind == kind) found = change;
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

}  // namespace
}  // namespace jobsched::store::testing
