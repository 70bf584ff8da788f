#include "app/instrumented_store.hpp"

#include <chrono>

namespace jobsched::app {
namespace {

using Clock = std::chrono::steady_clock;

// Expected answers (a missing id, a stale If-Match, a refused trigger) are
// not store failures.
template <typename T>
bool Healthy(const core::Result<T>& result) {
  if (result) return true;
  const core::ErrorCode code = result.error().code;
  return code == core::ErrorCode::kNotFound || code == core::ErrorCode::kConflict ||
         code == core::ErrorCode::kPreconditionFailed || code == core::ErrorCode::kInvalidArgument;
}

// Times a blocking call.
template <typename Call>
auto Timed(telemetry::Metrics& metrics, std::string_view operation, Call call) {
  const auto started = Clock::now();
  auto result = call();
  metrics.ObserveStoreOperation(operation, Healthy(result), Clock::now() - started);
  return result;
}

// Wraps an asynchronous call's callback so it reports when it is answered.
template <typename T>
std::function<void(core::Result<T>)> TimedCallback(telemetry::Metrics& metrics, std::string_view operation,
                                                   std::function<void(core::Result<T>)> done) {
  return [&metrics, operation, started = Clock::now(), done = std::move(done)](core::Result<T> result) {
    metrics.ObserveStoreOperation(operation, Healthy(result), Clock::now() - started);
    done(std::move(result));
  };
}

}  // namespace

void InstrumentedStore::CreateJob(core::Job job, JobCallback done, store::Audit audit) {
  jobs_.CreateJob(std::move(job), TimedCallback<core::Job>(metrics_, "create_job", std::move(done)), std::move(audit));
}

void InstrumentedStore::UpdateJob(core::JobId id, JobChange change, JobCallback done, store::Audit audit) {
  jobs_.UpdateJob(id, std::move(change), TimedCallback<core::Job>(metrics_, "update_job", std::move(done)),
                  std::move(audit));
}

void InstrumentedStore::DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                                  std::function<void(core::Result<void>)> done, store::Audit audit) {
  jobs_.DeleteJob(id, std::move(check), TimedCallback<void>(metrics_, "delete_job", std::move(done)), std::move(audit));
}

void InstrumentedStore::TriggerJob(core::JobId id, core::TimePoint now,
                                   std::function<void(core::Result<core::Run>)> done, store::Audit audit) {
  jobs_.TriggerJob(id, now, TimedCallback<core::Run>(metrics_, "trigger_job", std::move(done)), std::move(audit));
}

void InstrumentedStore::BackfillJob(core::JobId id, core::TimePoint now, store::BackfillPlanner planner,
                                    BackfillDone done, store::Audit audit) {
  jobs_.BackfillJob(id, now, std::move(planner),
                    TimedCallback<store::BackfillResult>(metrics_, "backfill_job", std::move(done)), std::move(audit));
}

void InstrumentedStore::CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now,
                                  std::function<void(core::Result<core::Run>)> done) {
  jobs_.CancelRun(job_id, run_id, now, TimedCallback<core::Run>(metrics_, "cancel_run", std::move(done)));
}

void InstrumentedStore::ChangeJobs(std::vector<core::JobId> ids, store::JobAction action, core::TimePoint now,
                                   std::optional<std::string> only_namespace,
                                   std::function<void(core::Result<store::BulkOutcome>)> done, store::Audit audit) {
  jobs_.ChangeJobs(std::move(ids), action, now, std::move(only_namespace),
                   TimedCallback<store::BulkOutcome>(metrics_, "change_jobs", std::move(done)), std::move(audit));
}

void InstrumentedStore::CancelRuns(std::vector<core::RunId> ids, core::TimePoint now,
                                   std::optional<std::string> only_namespace,
                                   std::function<void(core::Result<store::BulkOutcome>)> done) {
  jobs_.CancelRuns(std::move(ids), now, std::move(only_namespace),
                   TimedCallback<store::BulkOutcome>(metrics_, "cancel_runs", std::move(done)));
}

core::Result<core::Job> InstrumentedStore::GetJob(core::JobId id) {
  return Timed(metrics_, "get_job", [&] { return jobs_.GetJob(id); });
}

core::Result<std::shared_ptr<const store::JobSnapshot>> InstrumentedStore::GetJobSnapshot(core::JobId id) {
  return Timed(metrics_, "get_job", [&] { return jobs_.GetJobSnapshot(id); });
}

core::Result<std::vector<core::Job>> InstrumentedStore::ListJobs(const store::JobListQuery& query) {
  return Timed(metrics_, "list_jobs", [&] { return jobs_.ListJobs(query); });
}

core::Result<std::vector<std::shared_ptr<const store::JobSnapshot>>> InstrumentedStore::ListJobSnapshots(
    const store::JobListQuery& query) {
  return Timed(metrics_, "list_jobs", [&] { return jobs_.ListJobSnapshots(query); });
}

core::Result<std::map<core::JobId, std::vector<core::RunState>>> InstrumentedStore::RecentRunStates(
    const std::vector<core::JobId>& jobs, std::size_t count) {
  return Timed(metrics_, "recent_run_states", [&] { return jobs_.RecentRunStates(jobs, count); });
}

core::Result<store::StoreStats> InstrumentedStore::Stats(const store::StatsQuery& query) {
  return Timed(metrics_, "stats", [&] { return jobs_.Stats(query); });
}

core::Result<void> InstrumentedStore::Ping() {
  return Timed(metrics_, "ping", [&] { return jobs_.Ping(); });
}

core::Result<std::optional<core::TimePoint>> InstrumentedStore::NextDueTime() {
  return Timed(metrics_, "next_due_time", [&] { return jobs_.NextDueTime(); });
}

void InstrumentedStore::FireDueJobs(core::TimePoint now, std::size_t limit, store::FirePlanner planner,
                                    std::function<void(core::Result<store::FireResult>)> done) {
  auto counted = [this, done = std::move(done)](core::Result<store::FireResult> result) {
    if (result) metrics_.ObserveRunsCreated(result->runs_created);
    done(std::move(result));
  };
  jobs_.FireDueJobs(now, limit, std::move(planner),
                    TimedCallback<store::FireResult>(metrics_, "fire_due_jobs", std::move(counted)));
}

void InstrumentedStore::ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done, store::Audit audit) {
  jobs_.ResumePausedJobs(now, limit,
                         TimedCallback<std::vector<core::Job>>(metrics_, "resume_paused_jobs", std::move(done)),
                         std::move(audit));
}

void InstrumentedStore::PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit,
                                                std::function<void(core::Result<std::size_t>)> done) {
  jobs_.PruneRunsFinishedBefore(before, limit,
                                TimedCallback<std::size_t>(metrics_, "prune_runs_finished_before", std::move(done)));
}

void InstrumentedStore::PruneRunRollupsBefore(core::TimePoint before, std::size_t limit,
                                              std::function<void(core::Result<std::size_t>)> done) {
  jobs_.PruneRunRollupsBefore(before, limit,
                              TimedCallback<std::size_t>(metrics_, "prune_run_rollups_before", std::move(done)));
}

void InstrumentedStore::PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit,
                                        std::size_t limit, std::function<void(core::Result<store::PruneResult>)> done) {
  jobs_.PruneRunsBeyond(keep, after_job, job_limit, limit,
                        TimedCallback<store::PruneResult>(metrics_, "prune_runs_beyond", std::move(done)));
}

core::Result<core::Run> InstrumentedStore::GetRun(core::RunId id) {
  return Timed(metrics_, "get_run", [&] { return jobs_.GetRun(id); });
}

core::Result<std::vector<core::RunAttempt>> InstrumentedStore::ListRunAttempts(core::RunId id) {
  return Timed(metrics_, "list_run_attempts", [&] { return jobs_.ListRunAttempts(id); });
}

core::Result<std::vector<core::Run>> InstrumentedStore::ListRuns(const store::RunListQuery& query) {
  return Timed(metrics_, "list_runs", [&] { return jobs_.ListRuns(query); });
}

void InstrumentedStore::ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now,
                                  core::TimePoint lease_until,
                                  std::function<void(core::Result<std::vector<store::ClaimedRun>>)> done) {
  runs_.ClaimRuns(owner, limit, now, lease_until,
                  TimedCallback<std::vector<store::ClaimedRun>>(metrics_, "claim_runs", std::move(done)));
}

void InstrumentedStore::FinishRun(const std::string& owner, store::RunCompletion completion,
                                  std::function<void(core::Result<void>)> done) {
  runs_.FinishRun(owner, std::move(completion), TimedCallback<void>(metrics_, "finish_run", std::move(done)));
}

void InstrumentedStore::RetryRun(const std::string& owner, store::RunCompletion failed_attempt,
                                 core::TimePoint available_at, std::function<void(core::Result<void>)> done) {
  runs_.RetryRun(owner, std::move(failed_attempt), available_at,
                 TimedCallback<void>(metrics_, "retry_run", std::move(done)));
}

void InstrumentedStore::RenewLeases(const std::string& owner, core::TimePoint lease_until,
                                    std::vector<core::RunId> held,
                                    std::function<void(core::Result<std::vector<core::RunId>>)> done) {
  runs_.RenewLeases(owner, lease_until, std::move(held),
                    TimedCallback<std::vector<core::RunId>>(metrics_, "renew_leases", std::move(done)));
}

void InstrumentedStore::RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                                             std::function<void(core::Result<std::size_t>)> done) {
  runs_.RequeueAbandonedRuns(now, live_owner, all_other_owners,
                             TimedCallback<std::size_t>(metrics_, "requeue_abandoned_runs", std::move(done)));
}

void InstrumentedStore::ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                                    std::function<void(core::Result<void>)> done) {
  runs_.ReleaseRuns(owner, std::move(run_ids), now, TimedCallback<void>(metrics_, "release_runs", std::move(done)));
}

core::Result<std::size_t> InstrumentedStore::LiveNodeCount(core::TimePoint now) {
  return Timed(metrics_, "live_node_count", [&] { return runs_.LiveNodeCount(now); });
}

core::Result<std::size_t> InstrumentedStore::QueuedRunCount() {
  return Timed(metrics_, "queued_run_count", [&] { return runs_.QueuedRunCount(); });
}

}  // namespace jobsched::app
