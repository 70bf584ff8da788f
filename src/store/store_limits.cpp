#include "store/store_limits.hpp"

#include <algorithm>

namespace jobsched::store {

core::Error NamespaceFull(const std::string& job_namespace, std::size_t max_jobs) {
  return core::Error::Conflict("namespace '" + job_namespace + "' has its quota of " + std::to_string(max_jobs) +
                               " jobs (the operator's max_jobs_per_namespace); delete jobs to make room");
}

core::Error RunQuotaReached(core::JobId job_id, std::size_t max_runs, core::TimePoint oldest_counted,
                            core::TimePoint now) {
  // The oldest counted run leaves the window after kRunQuotaWindow; whole seconds, at least one.
  const auto wait = std::max(oldest_counted + kRunQuotaWindow - now, core::Milliseconds{1});
  const auto seconds = (wait.count() + 999) / 1000;
  return core::Error::Conflict("job " + std::to_string(job_id) + " has had its quota of " + std::to_string(max_runs) +
                               " runs in the last minute (the operator's max_runs_per_job_per_minute); try again in " +
                               std::to_string(seconds) + " s");
}

}  // namespace jobsched::store
