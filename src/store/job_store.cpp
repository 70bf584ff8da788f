#include "store/job_store.hpp"

#include "core/job_patch.hpp"
#include "store/wait.hpp"

namespace jobsched::store {

core::Error RunNotFound(core::RunId id) {
  return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
}

core::Error JobNotFound(core::JobId id) {
  return core::Error::NotFound("job " + std::to_string(id) + " does not exist");
}

core::Error JobNameTaken(const std::string& name, const std::string& job_namespace) {
  return core::Error{core::ErrorCode::kConflict,
                     "name: a job named '" + name.substr(0, 255) + "' already exists in namespace '" + job_namespace +
                         "'; job names are unique within a namespace",
                     "name"};
}

bool IsJobNameConflict(const core::Error& error) {
  // SQLite: "UNIQUE constraint failed: jobs.namespace, jobs.name";
  // PostgreSQL: "... violates unique constraint \"jobs_name_in_namespace\"".
  return error.code == core::ErrorCode::kConflict &&
         (error.message.find("jobs.namespace, jobs.name") != std::string::npos ||
          error.message.find("jobs_name_in_namespace") != std::string::npos);
}

bool IsBulkRefusal(const core::Error& error) {
  switch (error.code) {
    case core::ErrorCode::kInvalidArgument:
    case core::ErrorCode::kNotFound:
    case core::ErrorCode::kConflict:
    case core::ErrorCode::kPreconditionFailed:
    case core::ErrorCode::kRateLimited: return true;
    default: return false;
  }
}

core::Result<std::optional<core::Job>> JobWithActive(const core::Job& current, bool active, core::TimePoint now) {
  if (current.is_active == active) return std::optional<core::Job>();
  core::JobPatch patch;
  patch.set.is_active = active;
  auto changed = core::ApplyJobPatch(current, patch, now);
  if (!changed) return changed.error();
  return std::optional<core::Job>(std::move(changed).value());
}

core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job) {
  return Wait<core::Job>([&](auto done) { store.CreateJob(std::move(job), std::move(done)); });
}

core::Result<FireResult> FireDueJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                            FirePlanner planner) {
  return Wait<FireResult>([&](auto done) { store.FireDueJobs(now, limit, std::move(planner), std::move(done)); });
}

core::Result<std::vector<core::Job>> ResumePausedJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                                             Audit audit) {
  return Wait<std::vector<core::Job>>(
      [&](auto done) { store.ResumePausedJobs(now, limit, std::move(done), std::move(audit)); });
}

core::Result<BulkOutcome> ChangeJobsAndWait(JobStore& store, std::vector<core::JobId> ids, JobAction action,
                                            core::TimePoint now, std::optional<std::string> only_namespace) {
  return Wait<BulkOutcome>(
      [&](auto done) { store.ChangeJobs(std::move(ids), action, now, std::move(only_namespace), std::move(done)); });
}

core::Result<BackfillResult> BackfillJobAndWait(JobStore& store, core::JobId id, core::TimePoint now,
                                                BackfillPlanner planner) {
  return Wait<BackfillResult>([&](auto done) { store.BackfillJob(id, now, std::move(planner), std::move(done)); });
}

core::Result<BulkOutcome> CancelRunsAndWait(JobStore& store, std::vector<core::RunId> ids, core::TimePoint now,
                                            std::optional<std::string> only_namespace) {
  return Wait<BulkOutcome>(
      [&](auto done) { store.CancelRuns(std::move(ids), now, std::move(only_namespace), std::move(done)); });
}

}  // namespace jobsched::store
