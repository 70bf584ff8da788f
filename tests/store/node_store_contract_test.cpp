// The NodeStore contract (GET /nodes): every store (SQLite, PostgreSQL)
// passes these.
#include "store/node_store.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/job_validation.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

template <typename BackendType>
class NodeStoreContract : public StoreContractTest<BackendType> {
 protected:
  // A job and `count` manual runs of it, queued.
  void QueueRuns(int count) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = "1h";
    request.overlap = "allow";
    auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
    ASSERT_TRUE(job.ok());
    auto stored = CreateJobAndWait(*this->instance_.jobs, *job);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    for (int i = 0; i < count; ++i) {
      auto run = Wait<core::Run>([&](auto done) {
        this->instance_.jobs->TriggerJob(stored->id, At("2026-11-27T10:00:00Z"), std::move(done));
      });
      ASSERT_TRUE(run.ok()) << run.error().message;
    }
  }

  // `owner` claims up to `limit` queued runs and heartbeats (which records the node).
  void ClaimAndHeartbeat(const std::string& owner, std::size_t limit, core::TimePoint lease_until) {
    auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
      this->instance_.runs->ClaimRuns(owner, limit, At("2026-11-27T10:00:01Z"), lease_until, std::move(done));
    });
    ASSERT_TRUE(claimed.ok()) << claimed.error().message;
    std::vector<core::RunId> held;
    for (const ClaimedRun& run : *claimed) held.push_back(run.run.id);
    auto renewed = Wait<std::vector<core::RunId>>(
        [&](auto done) { this->instance_.runs->RenewLeases(owner, lease_until, std::move(held), std::move(done)); });
    ASSERT_TRUE(renewed.ok()) << renewed.error().message;
  }

  NodeStore& store() { return *this->instance_.nodes; }
};

TYPED_TEST_SUITE(NodeStoreContract, Backends);

TYPED_TEST(NodeStoreContract, NoNodeHasHeartbeatYet) {
  auto nodes = this->store().ListNodes();

  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  EXPECT_TRUE(nodes->empty());
}

TYPED_TEST(NodeStoreContract, EachNodeWithItsHeartbeatAndTheRunsItHolds) {
  this->QueueRuns(3);
  this->ClaimAndHeartbeat("node-b", 2, At("2026-11-27T10:00:30Z"));
  this->ClaimAndHeartbeat("node-a", 5, At("2026-11-27T10:00:40Z"));
  this->ClaimAndHeartbeat("node-c", 5, At("2026-11-27T10:00:50Z"));

  auto nodes = this->store().ListNodes();

  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[0].id, "node-a");
  EXPECT_EQ((*nodes)[0].alive_until, At("2026-11-27T10:00:40Z"));
  EXPECT_EQ((*nodes)[0].running_runs, 1);
  EXPECT_EQ((*nodes)[1].id, "node-b");
  EXPECT_EQ((*nodes)[1].running_runs, 2);
  EXPECT_EQ((*nodes)[2].id, "node-c");
  EXPECT_EQ((*nodes)[2].running_runs, 0);
}

TYPED_TEST(NodeStoreContract, FinishedRunsNoLongerCount) {
  this->QueueRuns(2);
  this->ClaimAndHeartbeat("node-a", 5, At("2026-11-27T10:00:30Z"));
  auto claimed_runs = this->instance_.jobs->ListRuns(RunListQuery{});
  ASSERT_TRUE(claimed_runs.ok());
  RunCompletion completion;
  completion.run_id = claimed_runs->front().id;
  completion.finished_at = At("2026-11-27T10:00:05Z");
  ASSERT_TRUE(
      Wait<void>([&](auto done) { this->instance_.runs->FinishRun("node-a", completion, std::move(done)); }).ok());

  auto nodes = this->store().ListNodes();

  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ(nodes->front().running_runs, 1);
}

}  // namespace
}  // namespace jobsched::store::testing
