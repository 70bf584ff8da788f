#include "store/job_store.hpp"

#include "store/wait.hpp"

namespace jobsched::store {

core::Error RunNotFound(core::RunId id) {
  return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
}

core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job) {
  return Wait<core::Job>([&](auto done) { store.CreateJob(std::move(job), std::move(done)); });
}

core::Result<FireResult> FireDueJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                            FirePlanner planner) {
  return Wait<FireResult>([&](auto done) { store.FireDueJobs(now, limit, std::move(planner), std::move(done)); });
}

}  // namespace jobsched::store
