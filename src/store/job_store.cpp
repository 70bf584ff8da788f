#include "store/job_store.hpp"

#include <future>

namespace jobsched::store {

namespace {

// Calls an asynchronous store method and waits for its answer.
template <typename T, typename Start>
core::Result<T> Wait(Start start) {
  std::promise<core::Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](core::Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace

core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job) {
  return Wait<core::Job>([&](auto done) { store.CreateJob(std::move(job), std::move(done)); });
}

core::Result<FireResult> FireDueJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                            FirePlanner planner) {
  return Wait<FireResult>(
      [&](auto done) { store.FireDueJobs(now, limit, std::move(planner), std::move(done)); });
}

}  // namespace jobsched::store
