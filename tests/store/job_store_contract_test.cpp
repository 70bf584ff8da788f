// The JobStore contract: every store (SQLite, PostgreSQL) passes these.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store_backends.hpp"
#include "testing/run_queries.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

JobListQuery Page(std::size_t limit, std::optional<core::JobId> after_id = std::nullopt,
                  std::optional<bool> is_active = std::nullopt) {
  JobListQuery query;
  query.limit = limit;
  query.after_id = after_id;
  query.is_active = is_active;
  return query;
}

core::Job MakeJob(const std::string& name, const std::string& interval = "weekly", bool active = true,
                  std::optional<std::string> overlap = std::nullopt) {
  core::JobRequest request;
  request.name = name;
  request.interval = interval;
  request.is_active = active;
  request.overlap = std::move(overlap);
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

template <typename BackendType>
class JobStoreContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }

  // A weekly job; `overlap` "allow" lets several runs of it be queued at once.
  core::JobId Create(const std::string& name, std::optional<std::string> overlap = std::nullopt) {
    auto created = CreateJobAndWait(store(), MakeJob(name, "weekly", true, std::move(overlap)));
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : 0;
  }

  core::Result<core::Job> Update(core::JobId id, JobStore::JobChange change) {
    return Wait<core::Job>([&](auto done) { store().UpdateJob(id, std::move(change), std::move(done)); });
  }

  core::Result<void> Delete(core::JobId id, std::function<core::Result<void>(const core::Job&)> check) {
    return Wait<void>([&](auto done) { store().DeleteJob(id, std::move(check), std::move(done)); });
  }

  core::Result<core::Run> Trigger(core::JobId id, const char* now) {
    return Wait<core::Run>([&](auto done) { store().TriggerJob(id, At(now), std::move(done)); });
  }
};

TYPED_TEST_SUITE(JobStoreContract, Backends);

TYPED_TEST(JobStoreContract, CreatedJobCanBeReadBackWithEveryField) {
  core::Job job = MakeJob("Number Crunching");
  // Secrets are stored in full: only the API redacts them.
  job.task = core::Task{core::HttpTask{"POST",
                                       "http://127.0.0.1:9/hook",
                                       {{"X-A", "b"}},
                                       "{}",
                                       std::nullopt,
                                       204,
                                       {"X-A"},
                                       "signing-secret-0123456789"}};
  job.retry.max_attempts = 3;
  job.misfire = core::MisfirePolicy::kRunAll;
  job.catchup_window = std::chrono::minutes{5};
  job.timeout = std::chrono::seconds{7};
  job.overlap = core::OverlapPolicy::kQueue;
  job.jitter = std::chrono::seconds{3};

  auto created = CreateJobAndWait(this->store(), job);
  ASSERT_TRUE(created.ok());
  auto read = this->store().GetJob(created->id);

  ASSERT_TRUE(read.ok());
  EXPECT_GT(read->id, 0);
  EXPECT_EQ(read->name, "Number Crunching");
  EXPECT_EQ(read->schedule, job.schedule);
  EXPECT_EQ(read->task, job.task);
  EXPECT_TRUE(read->is_active);
  EXPECT_EQ(read->next_run, job.next_run);
  EXPECT_EQ(read->last_run, std::nullopt);
  EXPECT_EQ(read->created_at, job.created_at);
  EXPECT_EQ(read->updated_at, job.updated_at);
  EXPECT_EQ(read->timeout, job.timeout);
  EXPECT_EQ(read->retry, job.retry);
  EXPECT_EQ(read->misfire, core::MisfirePolicy::kRunAll);
  EXPECT_EQ(read->catchup_window, job.catchup_window);
  EXPECT_EQ(read->overlap, core::OverlapPolicy::kQueue);
  EXPECT_EQ(read->jitter, job.jitter);
  EXPECT_EQ(read->version, 1);
}

TYPED_TEST(JobStoreContract, CronScheduleKeepsItsTimeZone) {
  core::JobRequest request;
  request.name = "nightly";
  request.cron = "0 3 * * *";
  request.timezone = "Europe/Berlin";
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  ASSERT_TRUE(job.ok()) << job.error().message;

  auto created = CreateJobAndWait(this->store(), *job);
  ASSERT_TRUE(created.ok());
  auto read = this->store().GetJob(created->id);

  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->schedule, job->schedule);
  EXPECT_EQ(read->schedule.timezone(), "Europe/Berlin");
}

TYPED_TEST(JobStoreContract, MissingJobIsNotFound) {
  auto read = this->store().GetJob(42);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContract, JobsSurviveReopeningTheStore) {
  const core::JobId id = this->Create("Durable");
  this->instance_ = {};

  StoreInstance reopened = this->OpenInstance();
  ASSERT_TRUE(reopened.jobs);
  auto read = reopened.jobs->GetJob(id);

  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "Durable");
}

TYPED_TEST(JobStoreContract, ListPagesByIdWithKeysetCursor) {
  for (int i = 0; i < 5; ++i) this->Create("job " + std::to_string(i));

  auto first = this->store().ListJobs(Page(2));
  ASSERT_TRUE(first.ok());
  auto second = this->store().ListJobs(Page(2, first->back().id));
  ASSERT_TRUE(second.ok());
  auto last = this->store().ListJobs(Page(2, second->back().id));
  ASSERT_TRUE(last.ok());

  ASSERT_EQ(first->size(), 2u);
  ASSERT_EQ(second->size(), 2u);
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*first)[0].name, "job 0");
  EXPECT_EQ((*second)[0].name, "job 2");
  EXPECT_EQ((*last)[0].name, "job 4");
  EXPECT_LT((*first)[1].id, (*second)[0].id);
}

TYPED_TEST(JobStoreContract, ListFiltersByActiveFlag) {
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("on", "daily", true)).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("off", "daily", false)).ok());

  auto active = this->store().ListJobs(Page(100, std::nullopt, true));
  auto inactive = this->store().ListJobs(Page(100, std::nullopt, false));
  auto all = this->store().ListJobs(Page(100));

  ASSERT_TRUE(active.ok() && inactive.ok() && all.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].name, "on");
  ASSERT_EQ(inactive->size(), 1u);
  EXPECT_EQ((*inactive)[0].name, "off");
  EXPECT_EQ(all->size(), 2u);
}

TYPED_TEST(JobStoreContract, ListFiltersByNamePrefixAndTaskType) {
  core::Job report = MakeJob("report daily");
  report.task = core::Task{core::ComputeTask{core::ComputeKind::kPrimeCount, 100}};
  core::Job hook = MakeJob("report hook");
  hook.task =
      core::Task{core::HttpTask{"POST", "http://127.0.0.1:9/x", {}, "", std::nullopt, std::nullopt, {}, std::nullopt}};
  ASSERT_TRUE(CreateJobAndWait(this->store(), report).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), hook).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("cleanup")).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("Report upper case")).ok());
  JobListQuery by_name = Page(100);
  by_name.name_prefix = "report";
  JobListQuery by_type = Page(100);
  by_type.task_type = "http";

  auto named = this->store().ListJobs(by_name);
  auto typed = this->store().ListJobs(by_type);

  ASSERT_TRUE(named.ok() && typed.ok());
  ASSERT_EQ(named->size(), 2u);
  EXPECT_EQ((*named)[0].name, "report daily");
  ASSERT_EQ(typed->size(), 1u);
  EXPECT_EQ((*typed)[0].name, "report hook");
}

TYPED_TEST(JobStoreContract, NamePrefixIsTakenLiterally) {
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("100% done")).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("100 items")).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("a_b")).ok());
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("axb")).ok());
  JobListQuery percent = Page(100);
  percent.name_prefix = "100%";
  JobListQuery underscore = Page(100);
  underscore.name_prefix = "a_";

  auto with_percent = this->store().ListJobs(percent);
  auto with_underscore = this->store().ListJobs(underscore);

  ASSERT_TRUE(with_percent.ok() && with_underscore.ok());
  ASSERT_EQ(with_percent->size(), 1u);
  EXPECT_EQ((*with_percent)[0].name, "100% done");
  ASSERT_EQ(with_underscore->size(), 1u);
  EXPECT_EQ((*with_underscore)[0].name, "a_b");
}

TYPED_TEST(JobStoreContract, ConcurrentCreatesAllCommitWithDistinctIds) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<core::JobId>> ids(kThreads);

  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto created = CreateJobAndWait(this->store(), MakeJob("t" + std::to_string(t) + "." + std::to_string(i)));
        if (created.ok()) ids[t].push_back(created->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<core::JobId> unique;
  for (const auto& list : ids) unique.insert(list.begin(), list.end());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kThreads * kPerThread));
  auto listed = this->store().ListJobs(Page(1000));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TYPED_TEST(JobStoreContract, AsyncCreatesAnswerOnlyAfterCommit) {
  constexpr int kJobs = 200;
  std::vector<std::promise<core::Result<core::Job>>> promises(kJobs);
  // Another instance has connections of its own, which see a job only once
  // it is committed: every acknowledged job must be visible to it.
  StoreInstance observer = this->OpenInstance();
  ASSERT_TRUE(observer.jobs);

  for (int i = 0; i < kJobs; ++i) {
    this->store().CreateJob(MakeJob("async " + std::to_string(i)), [&promises, i](core::Result<core::Job> result) {
      promises[i].set_value(std::move(result));
    });
  }

  for (auto& promise : promises) {
    auto result = promise.get_future().get();
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(observer.jobs->GetJob(result->id).ok()) << "job " << result->id << " acknowledged, not visible";
  }
}

TYPED_TEST(JobStoreContract, UpdateWritesTheChangedJob) {
  const core::JobId id = this->Create("before");

  auto updated = this->Update(id, [](const core::Job& current) -> core::Result<core::Job> {
    core::Job changed = current;
    changed.name = "after";
    changed.is_active = false;
    changed.next_run = std::nullopt;
    changed.version = current.version + 1;
    return changed;
  });

  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->id, id);
  auto read = this->store().GetJob(id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "after");
  EXPECT_FALSE(read->is_active);
  EXPECT_EQ(read->next_run, std::nullopt);
  EXPECT_EQ(read->version, 2);
}

// A store may keep jobs it has read (SQLite does, see JobCache): a read
// after any write that answered must still see that write.
TYPED_TEST(JobStoreContract, AReadAfterEachWriteSeesIt) {
  const core::JobId id = this->Create("first");
  ASSERT_EQ(this->store().GetJob(id)->name, "first");

  ASSERT_TRUE(this->Update(id,
                           [](const core::Job& current) -> core::Result<core::Job> {
                             core::Job changed = current;
                             changed.name = "second";
                             changed.version = current.version + 1;
                             return changed;
                           })
                  .ok());
  EXPECT_EQ(this->store().GetJob(id)->name, "second");

  const auto due = this->store().GetJob(id)->next_run;
  ASSERT_TRUE(due.has_value());
  ASSERT_TRUE(FireDueJobsAndWait(this->store(), *due, 100, core::PlanFiring).ok());
  const auto fired = this->store().GetJob(id);
  EXPECT_EQ(fired->last_run, due);
  EXPECT_GT(fired->next_run, due);

  ASSERT_TRUE(this->Delete(id, [](const core::Job&) { return core::Ok(); }).ok());
  EXPECT_EQ(this->store().GetJob(id).error().code, core::ErrorCode::kNotFound);
}

// The same while other threads read the job all the time: no reader ever
// sees an older version after a newer one, and the writer always reads its
// own writes.
TYPED_TEST(JobStoreContract, ConcurrentReadersNeverSeeAnUpdateUndone) {
  const core::JobId id = this->Create("v1");
  std::atomic<bool> stop = false;
  std::atomic<int> regressions = 0;
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      std::int64_t seen = 0;
      while (!stop) {
        auto job = this->store().GetJob(id);
        if (!job) continue;
        if (job->version < seen) ++regressions;
        seen = std::max(seen, job->version);
      }
    });
  }
  {
    // Joins the readers however this block ends (an ASSERT returns early).
    struct JoinOnExit {
      std::atomic<bool>& stop;
      std::vector<std::thread>& threads;
      ~JoinOnExit() {
        stop = true;
        for (std::thread& thread : threads) thread.join();
      }
    } join{stop, readers};
    for (std::int64_t version = 2; version <= 150; ++version) {
      auto updated = this->Update(id, [version](const core::Job& current) -> core::Result<core::Job> {
        core::Job changed = current;
        changed.name = "v" + std::to_string(version);
        changed.version = version;
        return changed;
      });
      ASSERT_TRUE(updated.ok()) << updated.error().message;
      const auto read = this->store().GetJob(id);
      ASSERT_TRUE(read.ok());
      ASSERT_EQ(read->version, version);
      ASSERT_EQ(read->name, "v" + std::to_string(version));
    }
  }
  EXPECT_EQ(regressions, 0);
}

TYPED_TEST(JobStoreContract, RefusedUpdateWritesNothing) {
  const core::JobId id = this->Create("kept");

  auto updated = this->Update(id, [](const core::Job&) -> core::Result<core::Job> {
    return core::Error{core::ErrorCode::kPreconditionFailed, "stale If-Match", {}};
  });

  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, core::ErrorCode::kPreconditionFailed);
  EXPECT_EQ(this->store().GetJob(id)->name, "kept");
  EXPECT_EQ(this->store().GetJob(id)->version, 1);
}

TYPED_TEST(JobStoreContract, UpdateOfAMissingJobIsNotFound) {
  auto updated = this->Update(42, [](const core::Job& current) -> core::Result<core::Job> { return current; });

  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContract, DeleteRemovesTheJobAndItsRuns) {
  const core::JobId id = this->Create("doomed");
  auto run = this->Trigger(id, "2026-11-27T10:00:00Z");
  ASSERT_TRUE(run.ok());

  ASSERT_TRUE(this->Delete(id, [](const core::Job&) { return core::Ok(); }).ok());

  EXPECT_EQ(this->store().GetJob(id).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(this->store().GetRun(run->id).error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContract, RefusedDeleteKeepsTheJob) {
  const core::JobId id = this->Create("kept");

  auto deleted = this->Delete(id, [](const core::Job&) -> core::Result<void> {
    return core::Error{core::ErrorCode::kPreconditionFailed, "stale If-Match", {}};
  });

  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, core::ErrorCode::kPreconditionFailed);
  EXPECT_TRUE(this->store().GetJob(id).ok());
}

TYPED_TEST(JobStoreContract, DeleteOfAMissingJobIsNotFound) {
  auto deleted = this->Delete(42, [](const core::Job&) { return core::Ok(); });

  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContract, TriggerQueuesAManualRunNow) {
  const core::JobId id = this->Create("manual", "allow");

  auto run = this->Trigger(id, "2026-11-27T10:00:00Z");
  auto again = this->Trigger(id, "2026-11-27T10:00:00Z");

  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(again.ok());  // manual runs are outside the one-run-per-occurrence rule (and overlap is allow)
  EXPECT_NE(run->id, again->id);
  auto stored = this->store().GetRun(run->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->job_id, id);
  EXPECT_EQ(stored->trigger, core::RunTrigger::kManual);
  EXPECT_EQ(stored->state, core::RunState::kQueued);
  EXPECT_EQ(stored->scheduled_for, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(stored->created_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(stored->attempt, 1);
}

TYPED_TEST(JobStoreContract, TriggerOfAMissingJobIsNotFound) {
  auto run = this->Trigger(42, "2026-11-27T10:00:00Z");

  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(JobStoreContract, PingAnswers) { EXPECT_TRUE(this->store().Ping().ok()); }

TYPED_TEST(JobStoreContract, NothingIsDueWithoutActiveJobs) {
  ASSERT_TRUE(CreateJobAndWait(this->store(), MakeJob("paused", "daily", false)).ok());

  auto next = this->store().NextDueTime();

  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, std::nullopt);
}

TYPED_TEST(JobStoreContract, RunListFiltersByStateAndScheduledTimeAcrossJobs) {
  const core::JobId a = this->Create("a", "allow");
  const core::JobId b = this->Create("b", "allow");
  ASSERT_TRUE(this->Trigger(a, "2026-11-27T10:00:00Z").ok());
  ASSERT_TRUE(this->Trigger(b, "2026-11-27T11:00:00Z").ok());
  ASSERT_TRUE(this->Trigger(a, "2026-11-27T12:00:00Z").ok());
  RunListQuery all;
  RunListQuery window;
  window.scheduled_from = At("2026-11-27T11:00:00Z");
  window.scheduled_until = At("2026-11-27T12:00:00Z");
  RunListQuery running;
  running.state = core::RunState::kRunning;

  auto every_run = this->store().ListRuns(all);
  auto in_window = this->store().ListRuns(window);
  auto none_running = this->store().ListRuns(running);

  ASSERT_TRUE(every_run.ok() && in_window.ok() && none_running.ok());
  ASSERT_EQ(every_run->size(), 3u);
  EXPECT_EQ((*every_run)[0].scheduled_for, At("2026-11-27T12:00:00Z"));  // newest first
  ASSERT_EQ(in_window->size(), 1u);
  EXPECT_EQ((*in_window)[0].job_id, b);
  EXPECT_TRUE(none_running->empty());
}

TYPED_TEST(JobStoreContract, MissedOccurrencesAreRecordedAsSkipped) {
  core::JobRequest request;
  request.name = "skipper";
  request.every = "1m";
  request.misfire = "skip";
  auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
  ASSERT_TRUE(job.ok()) << job.error().message;
  auto created = CreateJobAndWait(this->store(), *job);
  ASSERT_TRUE(created.ok());

  // Down for five minutes: the occurrences at 10:01 to 10:04 were missed;
  // 10:05 is within the misfire threshold and runs.
  auto fired = FireDueJobsAndWait(this->store(), At("2026-11-27T10:05:30Z"), 100, core::PlanFiring);

  ASSERT_TRUE(fired.ok());
  EXPECT_EQ(fired->runs_created, 1u);
  auto runs = this->store().ListRuns(jobsched::testing::JobRuns(created->id, 100));
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 5u);
  std::vector<core::TimePoint> skipped;
  for (const core::Run& run : *runs) {
    if (run.scheduled_for == At("2026-11-27T10:05:00Z")) {
      EXPECT_EQ(run.state, core::RunState::kQueued);
      continue;
    }
    EXPECT_EQ(run.state, core::RunState::kSkipped);
    EXPECT_FALSE(run.error.empty());
    EXPECT_EQ(run.finished_at, At("2026-11-27T10:05:30Z"));
    skipped.push_back(run.scheduled_for);
  }
  EXPECT_EQ(skipped.size(), 4u);
  EXPECT_EQ(this->store().GetJob(created->id)->next_run, At("2026-11-27T10:06:00Z"));
}

}  // namespace
}  // namespace jobsched::store::testing
