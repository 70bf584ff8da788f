// Jobs paused with a reason until an instant, on every store (SQLite,
// PostgreSQL): the pause's fields kept, the end of a pause reported as due,
// and the automatic resume done once even when several stores race for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/job_pause.hpp"
#include "core/job_validation.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

const core::TimePoint kCreated = At("2026-12-07T09:00:00Z");

core::Job MakeJob(const std::string& name) {
  core::JobRequest request;
  request.name = name;
  request.every = "10m";
  auto job = core::ValidateNewJob(request, kCreated);
  EXPECT_TRUE(job.ok());
  return *job;
}

// The job ids of the "updated" job events a subscriber heard.
class HeardUpdates {
 public:
  void Add(const StoreChange& change) {
    if (change.kind != StoreChange::Kind::kJob || change.action != StoreChange::Action::kUpdated) return;
    std::lock_guard lock(mutex_);
    ids_.insert(change.job_id);
    changed_.notify_all();
  }
  // Waits up to 5 s for updates of every one of `ids`.
  bool HeardAll(const std::set<std::int64_t>& ids) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 15s,
                             [&] { return std::includes(ids_.begin(), ids_.end(), ids.begin(), ids.end()); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::int64_t> ids_;
};

template <typename BackendType>
class PauseContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& Jobs() { return *this->instance_.jobs; }

  // A new job, paused at 09:05 until `until`.
  core::Job CreatePaused(const std::string& name, const std::string& until, const char* reason = "deploy") {
    auto created = CreateJobAndWait(Jobs(), MakeJob(name));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return Pause(created->id, {.reason = reason, .until = until});
  }

  core::Job Pause(core::JobId id, const core::PauseRequest& request) {
    auto paused = Wait<core::Job>([&](auto done) {
      Jobs().UpdateJob(
          id,
          [&](const core::Job& current) -> core::Result<core::Job> {
            auto changed = core::PauseJob(current, request, At("2026-12-07T09:05:00Z"));
            if (!changed) return changed.error();
            return changed->value_or(current);
          },
          std::move(done));
    });
    EXPECT_TRUE(paused.ok()) << paused.error().message;
    return *paused;
  }
};

TYPED_TEST_SUITE(PauseContract, Backends);

TYPED_TEST(PauseContract, KeepsThePausesReasonStartAndEndAndClearsThemOnResume) {
  const core::Job paused = this->CreatePaused("report", "2026-12-07T12:00:00Z", "db migration, ticket OPS-12");

  // Read back by another instance: what the database holds, not a cache.
  StoreInstance other = this->OpenInstance();
  auto read = other.jobs->GetJob(paused.id);
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->is_active);
  EXPECT_EQ(read->paused_reason, "db migration, ticket OPS-12");
  EXPECT_EQ(read->paused_at, At("2026-12-07T09:05:00Z"));
  EXPECT_EQ(read->paused_until, At("2026-12-07T12:00:00Z"));
  auto listed = other.jobs->ListJobs(JobListQuery{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().paused_until, At("2026-12-07T12:00:00Z"));

  auto resumed = ChangeJobsAndWait(this->Jobs(), {paused.id}, JobAction::kResume, At("2026-12-07T10:00:00Z"));
  ASSERT_TRUE(resumed.ok());
  // A new instance: SQLite's instances cache what they read (one process per file).
  StoreInstance third = this->OpenInstance();
  auto after = third.jobs->GetJob(paused.id);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->is_active);
  EXPECT_EQ(after->paused_reason, std::nullopt);
  EXPECT_EQ(after->paused_at, std::nullopt);
  EXPECT_EQ(after->paused_until, std::nullopt);
}

TYPED_TEST(PauseContract, TheEndOfAPauseIsWhenSomethingIsDueNext) {
  this->CreatePaused("paused", "2026-12-07T09:07:00Z");
  auto other = CreateJobAndWait(this->Jobs(), MakeJob("active"));  // due 09:10
  ASSERT_TRUE(other.ok());

  auto next = this->Jobs().NextDueTime();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, At("2026-12-07T09:07:00Z"));
}

TYPED_TEST(PauseContract, ResumesOnlyThePausesThatEndedAndPublishesTheChange) {
  HeardUpdates heard;
  auto subscription = this->instance_.changes->Subscribe([&](const StoreChange& change) { heard.Add(change); });
  const core::Job ended = this->CreatePaused("ended", "2026-12-07T09:30:00Z");
  const core::Job later = this->CreatePaused("later", "2026-12-07T11:00:00Z");
  auto open_ended = CreateJobAndWait(this->Jobs(), MakeJob("open-ended"));
  ASSERT_TRUE(open_ended.ok());
  this->Pause(open_ended->id, {});

  auto resumed = ResumePausedJobsAndWait(this->Jobs(), At("2026-12-07T09:31:00Z"), 100);

  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  ASSERT_EQ(resumed->size(), 1u);
  EXPECT_EQ(resumed->front().id, ended.id);
  auto job = this->Jobs().GetJob(ended.id);
  ASSERT_TRUE(job.ok());
  EXPECT_TRUE(job->is_active);
  EXPECT_EQ(job->paused_until, std::nullopt);
  EXPECT_EQ(job->next_run, At("2026-12-07T09:40:00Z"));  // every 10m from the end of the pause
  EXPECT_EQ(job->version, ended.version + 1);
  EXPECT_EQ(job->updated_at, At("2026-12-07T09:31:00Z"));
  EXPECT_TRUE(heard.HeardAll({ended.id}));
  for (core::JobId id : {later.id, open_ended->id}) {
    auto still = this->Jobs().GetJob(id);
    ASSERT_TRUE(still.ok());
    EXPECT_FALSE(still->is_active) << id;
  }
}

TYPED_TEST(PauseContract, APauseMovedLaterIsNotResumedAtItsOldEnd) {
  const core::Job paused = this->CreatePaused("moved", "2026-12-07T09:30:00Z");
  this->Pause(paused.id, {.reason = "longer", .until = "2026-12-07T10:30:00Z"});

  auto resumed = ResumePausedJobsAndWait(this->Jobs(), At("2026-12-07T09:31:00Z"), 100);
  ASSERT_TRUE(resumed.ok());
  EXPECT_TRUE(resumed->empty());
}

TYPED_TEST(PauseContract, StoresRacingToResumeResumeEachJobOnce) {
  std::vector<core::Job> paused;
  for (int i = 0; i < 40; ++i) paused.push_back(this->CreatePaused("job-" + std::to_string(i), "1h"));
  StoreInstance second = this->OpenInstance();
  StoreInstance third = this->OpenInstance();
  const core::TimePoint end = At("2026-12-07T10:05:00Z");

  // Small batches, so the stores take turns and meet on the same jobs.
  auto resume_all = [end](JobStore& store) {
    std::vector<core::JobId> ids;
    for (;;) {
      auto batch = ResumePausedJobsAndWait(store, end, 7);
      EXPECT_TRUE(batch.ok()) << batch.error().message;
      if (!batch.ok()) return ids;
      for (const core::Job& job : *batch) ids.push_back(job.id);
      if (batch->size() < 7) return ids;
    }
  };
  auto first_ids = std::async(std::launch::async, [&] { return resume_all(this->Jobs()); });
  auto second_ids = std::async(std::launch::async, [&] { return resume_all(*second.jobs); });
  auto third_ids = std::async(std::launch::async, [&] { return resume_all(*third.jobs); });

  std::vector<core::JobId> all;
  for (auto* ids : {&first_ids, &second_ids, &third_ids}) {
    const std::vector<core::JobId> mine = ids->get();
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<core::JobId> expected;
  for (const core::Job& job : paused) expected.push_back(job.id);
  EXPECT_EQ(all, expected);  // each once: none twice, none left out
  for (const core::Job& job : paused) {
    auto read = second.jobs->GetJob(job.id);
    ASSERT_TRUE(read.ok());
    EXPECT_TRUE(read->is_active);
    EXPECT_EQ(read->version, job.version + 1) << job.id;
  }
}

}  // namespace
}  // namespace jobsched::store::testing
