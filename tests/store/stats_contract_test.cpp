// JobStore::Stats on every store (SQLite, PostgreSQL): the counts, buckets
// and lateness percentiles of GET /stats, from runs written with known times.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/job_validation.hpp"
#include "core/stats_window.hpp"
#include "read_stats.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using std::chrono::milliseconds;

// The instant every test reads at; its 1 h window starts at 09:00:00.
const char* const kNow = "2026-12-07T10:00:30Z";

core::Job MakeJob(const std::string& name, const std::string& job_namespace) {
  core::JobRequest request;
  request.name = name;
  request.interval = "weekly";
  request.overlap = "allow";
  request.namespace_name = job_namespace;
  auto job = core::ValidateNewJob(request, At("2026-12-01T00:00:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

std::string Ms(std::optional<core::TimePoint> t) { return t ? std::to_string(core::ToUnixMs(*t)) : "NULL"; }

// A run as the test writes it, straight into the table.
struct RunRow {
  std::string state;
  core::TimePoint scheduled_for;
  std::optional<core::TimePoint> started_at;
  std::optional<core::TimePoint> finished_at;
  std::optional<core::TimePoint> available_at;
};

template <typename BackendType>
class StatsContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& store() { return *this->instance_.jobs; }

  core::JobId Job(const std::string& name, const std::string& job_namespace = "default") {
    auto created = CreateJobAndWait(store(), MakeJob(name, job_namespace));
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : 0;
  }

  void Execute(const std::string& sql) {
    auto done = this->backend_->ExecuteForTest(sql);
    ASSERT_TRUE(done.ok()) << done.error().message << "\n" << sql;
  }

  void SetJob(core::JobId id, bool active, std::optional<core::TimePoint> next_run) {
    Execute("UPDATE jobs SET is_active = " + std::string(active ? "TRUE" : "FALSE") + ", next_run = " + Ms(next_run) +
            " WHERE id = " + std::to_string(id));
  }

  void Runs(core::JobId job, const std::vector<RunRow>& rows) {
    std::string sql =
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, started_at, finished_at, "
        "available_at) VALUES ";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const RunRow& row = rows[i];
      if (i > 0) sql += ", ";
      sql += "(" + std::to_string(job) + ", " + Ms(row.scheduled_for) + ", 'manual', '" + row.state + "', 1, " +
             Ms(row.scheduled_for) + ", " + Ms(row.started_at) + ", " + Ms(row.finished_at) + ", " +
             Ms(row.available_at) + ")";
    }
    Execute(sql);
  }

  // A run that started `lateness` after its scheduled time and finished as `state` a second later.
  RunRow Finished(const std::string& state, const char* started, milliseconds lateness = milliseconds{0}) {
    return {state, At(started) - lateness, At(started), At(started) + std::chrono::seconds{1}, std::nullopt};
  }

  StoreStats Read(std::optional<std::string> job_namespace = std::nullopt) {
    return ReadStats(store(), At(kNow), std::move(job_namespace));
  }
};

TYPED_TEST_SUITE(StatsContract, Backends);

std::int64_t Count(const StoreStats& stats, core::RunState state) {
  const auto found = stats.runs.find(state);
  return found == stats.runs.end() ? 0 : found->second;
}

TYPED_TEST(StatsContract, CountsRunsFinishedInTheWindowByStateAndUnfinishedOnesAsOfNow) {
  const core::JobId job = this->Job("counted");
  this->Runs(job, {
                      this->Finished("succeeded", "2026-12-07T09:10:05Z"),
                      this->Finished("succeeded", "2026-12-07T09:59:58Z"),
                      this->Finished("failed", "2026-12-07T09:10:30Z"),
                      this->Finished("timed_out", "2026-12-07T09:20:00Z"),
                      {"skipped", At("2026-12-07T09:30:00Z"), std::nullopt, At("2026-12-07T09:30:00Z"), std::nullopt},
                      this->Finished("cancelled", "2026-12-07T09:40:00Z"),
                      this->Finished("succeeded", "2026-12-07T08:59:00Z"),  // finished 08:59:01, before the window
                      // Queued: late (due 90 s ago), not late yet (due 30 s ago), and a retry waiting out its backoff.
                      {"queued", At("2026-12-07T09:59:00Z"), std::nullopt, std::nullopt, std::nullopt},
                      {"queued", At("2026-12-07T10:00:00Z"), std::nullopt, std::nullopt, std::nullopt},
                      {"queued", At("2026-12-07T09:00:00Z"), std::nullopt, std::nullopt, At("2026-12-07T10:00:10Z")},
                      {"running", At("2026-12-07T10:00:00Z"), At("2026-12-07T10:00:01Z"), std::nullopt, std::nullopt},
                  });

  const StoreStats stats = this->Read();

  EXPECT_EQ(Count(stats, core::RunState::kSucceeded), 2);
  EXPECT_EQ(Count(stats, core::RunState::kFailed), 1);
  EXPECT_EQ(Count(stats, core::RunState::kTimedOut), 1);
  EXPECT_EQ(Count(stats, core::RunState::kSkipped), 1);
  EXPECT_EQ(Count(stats, core::RunState::kCancelled), 1);
  EXPECT_EQ(Count(stats, core::RunState::kQueued), 3);
  EXPECT_EQ(Count(stats, core::RunState::kRunning), 1);
  EXPECT_EQ(stats.late_now, 1);
}

TYPED_TEST(StatsContract, PutsFinishedRunsInTheBucketOfTheirEnd) {
  const core::JobId job = this->Job("bucketed");
  this->Runs(job, {
                      this->Finished("succeeded", "2026-12-07T09:10:05Z"),  // ends 09:10:06
                      this->Finished("failed", "2026-12-07T09:10:58Z"),     // ends 09:10:59
                      this->Finished("timed_out", "2026-12-07T09:10:59Z"),  // ends 09:11:00, the next bucket
                      this->Finished("cancelled", "2026-12-07T10:00:10Z"),  // ends in the last bucket
                  });

  const StoreStats stats = this->Read();
  const auto series = core::FillSeries(core::SpanOf(core::StatsWindow::kHour, At(kNow)), stats.buckets);

  ASSERT_EQ(series.size(), 61u);
  EXPECT_EQ(series[10].at, At("2026-12-07T09:10:00Z"));
  EXPECT_EQ(series[10].runs, 2);
  EXPECT_EQ(series[10].failed, 1);
  EXPECT_EQ(series[11].runs, 1);
  EXPECT_EQ(series[11].failed, 1);
  EXPECT_EQ(series[60].runs, 1);
  EXPECT_EQ(series[60].failed, 0);
  std::int64_t total = 0;
  for (const core::StatsBucket& point : series) total += point.runs;
  EXPECT_EQ(total, 4);
}

TYPED_TEST(StatsContract, PicksTheNearestRankPercentilesOfTheLatenessOfRunsStartedInEachBucket) {
  const core::JobId job = this->Job("late");
  std::vector<RunRow> hundred;
  for (int i = 1; i <= 100; ++i)
    hundred.push_back(this->Finished("succeeded", "2026-12-07T09:20:00Z", milliseconds{i * 10}));
  this->Runs(job, hundred);
  this->Runs(job, {
                      this->Finished("failed", "2026-12-07T09:30:01Z", milliseconds{100}),
                      this->Finished("succeeded", "2026-12-07T09:30:02Z", milliseconds{5}),
                      // Still running: counts for its start, though it has not finished.
                      {"running", At("2026-12-07T09:30:03Z") - milliseconds{7}, At("2026-12-07T09:30:03Z"),
                       std::nullopt, std::nullopt},
                      // Started before the window, finished in it: no lateness in the window.
                      {"succeeded", At("2026-12-07T08:59:00Z"), At("2026-12-07T08:59:50Z"), At("2026-12-07T09:05:00Z"),
                       std::nullopt},
                  });

  const StoreStats stats = this->Read();
  const auto series = core::FillSeries(core::SpanOf(core::StatsWindow::kHour, At(kNow)), stats.buckets);

  EXPECT_EQ(series[20].lateness_p50_ms, 500);  // rank 50 of 10, 20, ... 1000
  EXPECT_EQ(series[20].lateness_p99_ms, 990);  // rank 99
  EXPECT_EQ(series[30].lateness_p50_ms, 7);    // rank 2 of 5, 7, 100
  EXPECT_EQ(series[30].lateness_p99_ms, 100);  // rank 3
  EXPECT_EQ(series[5].runs, 1);
  EXPECT_EQ(series[5].lateness_p50_ms, std::nullopt);
  EXPECT_EQ(series[0].lateness_p99_ms, std::nullopt);
}

TYPED_TEST(StatsContract, CountsActivePausedFailingAndDueSoonJobs) {
  const core::JobId failing = this->Job("failing");
  const core::JobId recovered = this->Job("recovered");
  const core::JobId due = this->Job("due");
  const core::JobId paused = this->Job("paused");
  this->SetJob(failing, true, At("2026-12-07T11:00:00Z"));
  this->SetJob(recovered, true, At("2026-12-07T10:15:30Z"));  // due soon: exactly 15 minutes ahead
  this->SetJob(due, true, At("2026-12-07T10:01:00Z"));
  this->SetJob(paused, false, At("2026-12-07T10:05:00Z"));
  // The newest finished run decides; an unfinished newer one does not.
  this->Runs(failing, {this->Finished("succeeded", "2026-12-01T09:00:00Z"),
                       this->Finished("timed_out", "2026-12-02T09:00:00Z"),
                       {"queued", At("2026-12-07T10:00:00Z"), std::nullopt, std::nullopt, std::nullopt}});
  this->Runs(recovered,
             {this->Finished("failed", "2026-12-01T09:00:00Z"), this->Finished("succeeded", "2026-12-02T09:00:00Z")});
  this->Runs(paused, {this->Finished("failed", "2026-12-02T09:00:00Z")});

  const StoreStats stats = this->Read();

  EXPECT_EQ(stats.jobs_active, 3);
  EXPECT_EQ(stats.jobs_paused, 1);
  EXPECT_EQ(stats.failing, 1);
  EXPECT_EQ(stats.due_soon, 2);
}

TYPED_TEST(StatsContract, KeepsToOneNamespaceWhenAsked) {
  const core::JobId mine = this->Job("mine", "team-a");
  const core::JobId theirs = this->Job("theirs", "team-b");
  this->SetJob(theirs, false, std::nullopt);
  this->Runs(mine, {this->Finished("failed", "2026-12-07T09:30:00Z", milliseconds{40}),
                    {"queued", At("2026-12-07T09:00:00Z"), std::nullopt, std::nullopt, std::nullopt}});
  this->Runs(theirs, {this->Finished("succeeded", "2026-12-07T09:30:00Z", milliseconds{900}),
                      this->Finished("succeeded", "2026-12-07T09:31:00Z"),
                      {"queued", At("2026-12-07T09:00:00Z"), std::nullopt, std::nullopt, std::nullopt},
                      {"running", At("2026-12-07T10:00:00Z"), At("2026-12-07T10:00:00Z"), std::nullopt, std::nullopt}});

  const StoreStats scoped = this->Read("team-a");
  const StoreStats all = this->Read();

  EXPECT_EQ(scoped.jobs_active, 1);
  EXPECT_EQ(scoped.jobs_paused, 0);
  EXPECT_EQ(Count(scoped, core::RunState::kFailed), 1);
  EXPECT_EQ(Count(scoped, core::RunState::kSucceeded), 0);
  EXPECT_EQ(Count(scoped, core::RunState::kQueued), 1);
  EXPECT_EQ(Count(scoped, core::RunState::kRunning), 0);
  EXPECT_EQ(scoped.late_now, 1);
  EXPECT_EQ(scoped.failing, 1);
  const auto series = core::FillSeries(core::SpanOf(core::StatsWindow::kHour, At(kNow)), scoped.buckets);
  EXPECT_EQ(series[30].lateness_p99_ms, 40);
  EXPECT_EQ(all.jobs_paused, 1);
  EXPECT_EQ(Count(all, core::RunState::kSucceeded), 2);
  EXPECT_EQ(Count(all, core::RunState::kQueued), 2);
  EXPECT_EQ(Count(all, core::RunState::kRunning), 1);
  EXPECT_EQ(all.late_now, 2);
}

// Runs started, moved and ended by later writes, several rows a statement, as claims, re-queues
// and batches of finishes write them (PostgreSQL counts per statement, SQLite per row).
TYPED_TEST(StatsContract, CountsStartsAndEndsWrittenSeveralRunsAStatement) {
  const core::JobId mine = this->Job("mine", "team-a");
  const core::JobId other = this->Job("other");
  const auto started = At("2026-12-07T09:20:00Z");
  this->Runs(mine, {{"queued", started - milliseconds{10}, std::nullopt, std::nullopt, std::nullopt},
                    {"queued", started - milliseconds{20}, std::nullopt, std::nullopt, std::nullopt},
                    {"queued", started - milliseconds{30}, std::nullopt, std::nullopt, std::nullopt}});
  this->Runs(other, {{"queued", started - milliseconds{200}, std::nullopt, std::nullopt, std::nullopt}});
  const std::string jobs = "job_id IN (" + std::to_string(mine) + ", " + std::to_string(other) + ")";
  const std::string job_of_other = "job_id = " + std::to_string(other);
  // One claim starts all four; the other job's run is handed back (its start no longer
  // counts), started again later, 7 ms late; the rest end in one batch, the newest of mine
  // succeeding, the other's failing.
  this->Execute("UPDATE runs SET state = 'running', started_at = " + Ms(started) + " WHERE " + jobs);
  this->Execute("UPDATE runs SET state = 'queued', started_at = NULL WHERE " + job_of_other);
  this->Execute("UPDATE runs SET state = 'running', started_at = scheduled_for + 7 WHERE " + job_of_other);
  this->Execute("UPDATE runs SET started_at = " + Ms(At("2026-12-07T09:30:00Z")) +
                ", scheduled_for = " + Ms(At("2026-12-07T09:30:00Z") - milliseconds{7}) + " WHERE " + job_of_other);
  this->Execute("UPDATE runs SET finished_at = started_at + 1000, state = CASE WHEN job_id = " + std::to_string(other) +
                " OR scheduled_for = " + Ms(started - milliseconds{20}) + " THEN 'failed' ELSE 'succeeded' END WHERE " +
                jobs);

  const StoreStats all = this->Read();
  const StoreStats scoped = this->Read("team-a");

  EXPECT_EQ(Count(all, core::RunState::kSucceeded), 2);
  EXPECT_EQ(Count(all, core::RunState::kFailed), 2);
  EXPECT_EQ(Count(all, core::RunState::kRunning), 0);
  EXPECT_EQ(all.failing, 1);  // the other job; mine's newest run succeeded
  const auto series = core::FillSeries(core::SpanOf(core::StatsWindow::kHour, At(kNow)), all.buckets);
  EXPECT_EQ(series[20].runs, 3);
  EXPECT_EQ(series[20].failed, 1);
  EXPECT_EQ(series[20].lateness_p50_ms, 20);  // rank 2 of 10, 20, 30: the 200 was taken back
  EXPECT_EQ(series[20].lateness_p99_ms, 30);
  EXPECT_EQ(series[30].runs, 1);
  EXPECT_EQ(series[30].lateness_p99_ms, 7);
  EXPECT_EQ(series[19].lateness_p99_ms, std::nullopt);  // its start there was moved on
  EXPECT_EQ(Count(scoped, core::RunState::kSucceeded), 2);
  EXPECT_EQ(Count(scoped, core::RunState::kFailed), 1);
  EXPECT_EQ(scoped.failing, 0);
  const auto mine_only = core::FillSeries(core::SpanOf(core::StatsWindow::kHour, At(kNow)), scoped.buckets);
  EXPECT_EQ(mine_only[30].runs, 0);
  EXPECT_EQ(mine_only[30].lateness_p99_ms, std::nullopt);
  EXPECT_EQ(mine_only[20].lateness_p99_ms, 30);
}

TYPED_TEST(StatsContract, AnswersZerosForAnEmptyStore) {
  const StoreStats stats = this->Read();

  EXPECT_EQ(stats.jobs_active + stats.jobs_paused + stats.late_now + stats.failing + stats.due_soon, 0);
  EXPECT_EQ(Count(stats, core::RunState::kQueued) + Count(stats, core::RunState::kRunning), 0);
  EXPECT_TRUE(stats.buckets.empty());
}

}  // namespace
}  // namespace jobsched::store::testing
