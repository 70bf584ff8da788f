// The console's job list in the JobStore contract, on every store (SQLite,
// PostgreSQL): substring search on names, the last-outcome filter, the orders
// with their keyset cursors, and the recent outcomes beside each job.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/job_validation.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/run_queries.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

template <typename BackendType>
class JobListContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }
  RunQueue& queue() { return *this->instance_.runs; }

  // A job named `name` firing every `every` from `created` (its first
  // next_run one period later).
  core::JobId Create(const std::string& name, const char* every = "1h", const char* created = "2026-11-27T09:00:00Z") {
    core::JobRequest request;
    request.name = name;
    request.every = every;
    request.overlap = "allow";
    auto job = core::ValidateNewJob(request, At(created));
    EXPECT_TRUE(job.ok());
    auto stored = CreateJobAndWait(store(), *job);
    EXPECT_TRUE(stored.ok()) << (stored.ok() ? "" : stored.error().message);
    return stored.ok() ? stored->id : 0;
  }

  // A manual run of `job`, claimed and ended in `state`.
  void RunEndingIn(core::JobId job, core::RunState state) {
    auto run =
        Wait<core::Run>([&](auto done) { store().TriggerJob(job, At("2026-11-27T10:00:00Z"), std::move(done)); });
    ASSERT_TRUE(run.ok()) << run.error().message;
    auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
      queue().ClaimRuns("node-a", 1000, At("2026-11-27T10:00:00Z"), At("2026-11-27T10:00:30Z"), std::move(done));
    });
    ASSERT_TRUE(claimed.ok());
    RunCompletion completion;
    completion.run_id = run->id;
    completion.state = state;
    completion.finished_at = At("2026-11-27T10:00:01Z");
    ASSERT_TRUE(Wait<void>([&](auto done) { queue().FinishRun("node-a", completion, std::move(done)); }).ok());
  }

  // Marks `job` paused (and unscheduled when `unschedule`), as an update would.
  void Deactivate(core::JobId job, bool unschedule = false) {
    auto paused = Wait<core::Job>([&](auto done) {
      store().UpdateJob(
          job,
          [unschedule](const core::Job& current) -> core::Result<core::Job> {
            core::Job changed = current;
            changed.is_active = false;
            if (unschedule) changed.next_run = std::nullopt;
            changed.version += 1;
            return changed;
          },
          std::move(done));
    });
    ASSERT_TRUE(paused.ok());
  }

  std::vector<std::string> Names(const JobListQuery& query) {
    auto jobs = store().ListJobs(query);
    EXPECT_TRUE(jobs.ok()) << (jobs.ok() ? "" : jobs.error().message);
    std::vector<std::string> names;
    if (!jobs.ok()) return names;
    for (const core::Job& job : *jobs) names.push_back(job.name);
    return names;
  }

  // Every page of `query`, `limit` at a time, each after the last job of the
  // one before, as a client following the cursors would read them.
  std::vector<std::string> AllPages(JobListQuery query, std::size_t limit) {
    query.limit = limit;
    std::vector<std::string> names;
    for (int page = 0; page < 100; ++page) {
      auto jobs = store().ListJobs(query);
      EXPECT_TRUE(jobs.ok());
      if (!jobs.ok() || jobs->empty()) break;
      for (const core::Job& job : *jobs) names.push_back(job.name);
      const core::Job& last = jobs->back();
      query.after_id = last.id;
      query.after_name = last.name;
      query.after_next_run = last.next_run;
    }
    return names;
  }
};

TYPED_TEST_SUITE(JobListContract, Backends);

TYPED_TEST(JobListContract, FindsANameByAnyPartOfItInAnyCase) {
  this->Create("Nightly Backup");
  this->Create("hourly sync");
  this->Create("backup-verify");
  this->Create("ab");  // shorter than a trigram

  JobListQuery query;
  query.name_contains = "BACKUP";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"Nightly Backup", "backup-verify"}));
  query.name_contains = "ly";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"Nightly Backup", "hourly sync"}));
  query.name_contains = "ab";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"ab"}));
  query.name_contains = "nothing like it";
  EXPECT_TRUE(this->Names(query).empty());
}

TYPED_TEST(JobListContract, SearchTakesWildcardCharactersLiterally) {
  this->Create("100% done");
  this->Create("1000 done");
  this->Create("a_b");
  this->Create("axb");

  JobListQuery query;
  query.name_contains = "0%";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"100% done"}));
  query.name_contains = "_";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"a_b"}));
}

TYPED_TEST(JobListContract, SearchFollowsRenamesAndDeletes) {
  const core::JobId renamed = this->Create("old report");
  const core::JobId deleted = this->Create("report to delete");

  auto updated = Wait<core::Job>([&](auto done) {
    this->store().UpdateJob(
        renamed,
        [](const core::Job& current) -> core::Result<core::Job> {
          core::Job changed = current;
          changed.name = "fresh summary";
          changed.version += 1;
          return changed;
        },
        std::move(done));
  });
  ASSERT_TRUE(updated.ok());
  ASSERT_TRUE(Wait<void>([&](auto done) {
                this->store().DeleteJob(
                    deleted, [](const core::Job&) -> core::Result<void> { return {}; }, std::move(done));
              }).ok());

  JobListQuery query;
  query.name_contains = "report";
  EXPECT_TRUE(this->Names(query).empty());
  query.name_contains = "summ";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"fresh summary"}));
}

TYPED_TEST(JobListContract, FiltersByTheLastFinishedRunsOutcome) {
  const core::JobId failing = this->Create("failing");
  const core::JobId recovered = this->Create("recovered");
  this->Create("never ran");
  this->RunEndingIn(failing, core::RunState::kSucceeded);
  this->RunEndingIn(failing, core::RunState::kFailed);
  this->RunEndingIn(recovered, core::RunState::kFailed);
  this->RunEndingIn(recovered, core::RunState::kSucceeded);

  JobListQuery query;
  query.last_outcome = "failed";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"failing"}));
  query.last_outcome = "succeeded";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"recovered"}));
  query.last_outcome = "none";
  EXPECT_EQ(this->Names(query), (std::vector<std::string>{"never ran"}));
}

TYPED_TEST(JobListContract, PagesByNameInBothDirectionsWithoutLosingTies) {
  for (const char* name : {"delta", "alpha", "charlie", "bravo", "echo"}) this->Create(name);

  JobListQuery query;
  query.order = JobOrder::kName;
  EXPECT_EQ(this->AllPages(query, 2), (std::vector<std::string>{"alpha", "bravo", "charlie", "delta", "echo"}));
  query.descending = true;
  EXPECT_EQ(this->AllPages(query, 2), (std::vector<std::string>{"echo", "delta", "charlie", "bravo", "alpha"}));
}

TYPED_TEST(JobListContract, PagesByNextRunWithUnscheduledJobsLast) {
  this->Create("in an hour", "1h");
  this->Create("in a minute", "1m");
  const core::JobId paused = this->Create("paused", "1s");
  this->Create("in a day", "1d");
  this->Deactivate(paused, /*unschedule=*/true);

  JobListQuery query;
  query.order = JobOrder::kNextRun;
  EXPECT_EQ(this->AllPages(query, 1), (std::vector<std::string>{"in a minute", "in an hour", "in a day", "paused"}));
  query.descending = true;
  EXPECT_EQ(this->AllPages(query, 3), (std::vector<std::string>{"paused", "in a day", "in an hour", "in a minute"}));
}

// The paused filter (the console's "paused" view) reads through its own
// index (migration 0025); active and paused pages, in both directions and
// through their cursors, must still hold exactly the jobs of that state.
TYPED_TEST(JobListContract, FiltersPausedAndActiveJobsThroughTheirCursors) {
  std::vector<core::JobId> ids;
  for (const char* name : {"a", "b", "c", "d", "e", "f", "g"}) ids.push_back(this->Create(name));
  for (const core::JobId id : {ids[1], ids[4], ids[5]}) this->Deactivate(id);

  JobListQuery query;
  query.is_active = false;
  EXPECT_EQ(this->AllPages(query, 1), (std::vector<std::string>{"b", "e", "f"}));
  query.descending = true;
  EXPECT_EQ(this->AllPages(query, 2), (std::vector<std::string>{"f", "e", "b"}));
  query.is_active = true;
  EXPECT_EQ(this->AllPages(query, 3), (std::vector<std::string>{"g", "d", "c", "a"}));
  query.descending = false;
  query.order = JobOrder::kName;
  query.is_active = false;
  EXPECT_EQ(this->AllPages(query, 2), (std::vector<std::string>{"b", "e", "f"}));
}

TYPED_TEST(JobListContract, SearchAndOrderCombine) {
  for (const char* name : {"sync b", "report", "sync a", "sync c"}) this->Create(name);

  JobListQuery query;
  query.name_contains = "SYNC";
  query.order = JobOrder::kName;
  query.descending = true;
  EXPECT_EQ(this->AllPages(query, 2), (std::vector<std::string>{"sync c", "sync b", "sync a"}));
}

TYPED_TEST(JobListContract, RecentRunStatesAreTheNewestFinishedRunsFirst) {
  const core::JobId busy = this->Create("busy");
  const core::JobId idle = this->Create("idle");
  this->RunEndingIn(busy, core::RunState::kSucceeded);
  this->RunEndingIn(busy, core::RunState::kFailed);
  this->RunEndingIn(busy, core::RunState::kTimedOut);
  auto queued =
      Wait<core::Run>([&](auto done) { this->store().TriggerJob(busy, At("2026-11-27T10:01:00Z"), std::move(done)); });
  ASSERT_TRUE(queued.ok());  // not finished: not among the outcomes

  auto recent = this->store().RecentRunStates({busy, idle}, 2);

  ASSERT_TRUE(recent.ok()) << recent.error().message;
  EXPECT_EQ((*recent)[busy], (std::vector<core::RunState>{core::RunState::kTimedOut, core::RunState::kFailed}));
  EXPECT_TRUE(recent->contains(idle));
  EXPECT_TRUE((*recent)[idle].empty());
}

}  // namespace
}  // namespace jobsched::store::testing
