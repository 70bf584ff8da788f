#include "store/job_store.hpp"

#include <future>

namespace jobsched::store {

core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job) {
  std::promise<core::Result<core::Job>> promise;
  auto future = promise.get_future();
  store.CreateJob(std::move(job), [&promise](core::Result<core::Job> result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

}  // namespace jobsched::store
