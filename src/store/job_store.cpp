#include "store/job_store.hpp"

#include "store/wait.hpp"

namespace jobsched::store {

core::Error RunNotFound(core::RunId id) {
  return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
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

core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job) {
  return Wait<core::Job>([&](auto done) { store.CreateJob(std::move(job), std::move(done)); });
}

core::Result<FireResult> FireDueJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                            FirePlanner planner) {
  return Wait<FireResult>([&](auto done) { store.FireDueJobs(now, limit, std::move(planner), std::move(done)); });
}

}  // namespace jobsched::store
