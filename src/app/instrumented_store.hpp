#pragma once

#include "store/job_store.hpp"
#include "store/run_queue.hpp"
#include "telemetry/metrics.hpp"

namespace jobsched::app {

// A JobStore and RunQueue that forwards every call to another and reports
// its latency (submission to answer; writes answer after their commit) and
// failures to `metrics`, by operation. Not-found, conflict and precondition
// answers are normal answers, not failures. Also counts the runs the
// scheduler creates.
class InstrumentedStore final : public store::JobStore, public store::RunQueue {
 public:
  // `jobs` and `runs` are usually the same object; all must outlive this.
  InstrumentedStore(store::JobStore& jobs, store::RunQueue& runs, telemetry::Metrics& metrics)
      : jobs_(jobs), runs_(runs), metrics_(metrics) {}

  // JobStore
  void CreateJob(core::Job job, JobCallback done, store::Audit audit = std::nullopt) override;
  void UpdateJob(core::JobId id, JobChange change, JobCallback done, store::Audit audit = std::nullopt) override;
  void DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                 std::function<void(core::Result<void>)> done, store::Audit audit = std::nullopt) override;
  void TriggerJob(core::JobId id, core::TimePoint now, RunDone done, store::Audit audit = std::nullopt) override;
  void BackfillJob(core::JobId id, core::TimePoint now, store::BackfillPlanner planner, BackfillDone done,
                   store::Audit audit = std::nullopt) override;
  void CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now, RunDone done) override;
  void ChangeJobs(std::vector<core::JobId> ids, store::JobAction action, core::TimePoint now,
                  std::optional<std::string> only_namespace, BulkDone done, store::Audit audit = std::nullopt) override;
  void CancelRuns(std::vector<core::RunId> ids, core::TimePoint now, std::optional<std::string> only_namespace,
                  BulkDone done) override;
  core::Result<core::Job> GetJob(core::JobId id) override;
  core::Result<std::shared_ptr<const store::JobSnapshot>> GetJobSnapshot(core::JobId id) override;
  core::Result<std::vector<core::Job>> ListJobs(const store::JobListQuery& query) override;
  core::Result<std::vector<std::shared_ptr<const store::JobSnapshot>>> ListJobSnapshots(
      const store::JobListQuery& query) override;
  core::Result<std::map<core::JobId, std::vector<core::RunState>>> RecentRunStates(const std::vector<core::JobId>& jobs,
                                                                                   std::size_t count) override;
  core::Result<store::StoreStats> Stats(const store::StatsQuery& query) override;
  core::Result<void> Ping() override;
  core::Result<std::optional<core::TimePoint>> NextDueTime() override;
  void FireDueJobs(core::TimePoint now, std::size_t limit, store::FirePlanner planner, FireDone done) override;
  void ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done,
                        store::Audit audit = std::nullopt) override;
  void PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit, PrunedDone done) override;
  void PruneRunRollupsBefore(core::TimePoint before, std::size_t limit, PrunedDone done) override;
  void PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit, std::size_t limit,
                       PruneBeyondDone done) override;
  core::Result<core::Run> GetRun(core::RunId id) override;
  core::Result<std::vector<core::RunAttempt>> ListRunAttempts(core::RunId id) override;
  core::Result<std::vector<core::Run>> ListRuns(const store::RunListQuery& query) override;

  // RunQueue
  void ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                 ClaimDone done) override;
  void FinishRun(const std::string& owner, store::RunCompletion completion, WriteDone done) override;
  void RetryRun(const std::string& owner, store::RunCompletion failed_attempt, core::TimePoint available_at,
                WriteDone done) override;
  void RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                   RenewDone done) override;
  void RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                            CountDone done) override;
  void ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                   WriteDone done) override;
  core::Result<std::size_t> QueuedRunCount() override;
  core::Result<std::size_t> LiveNodeCount(core::TimePoint now) override;

 private:
  store::JobStore& jobs_;
  store::RunQueue& runs_;
  telemetry::Metrics& metrics_;
};

}  // namespace jobsched::app
