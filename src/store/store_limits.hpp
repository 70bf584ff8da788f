#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "core/job.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// The operator's quotas, so that one tenant cannot starve the others
// (settings max_jobs_per_namespace and max_runs_per_job_per_minute). Both
// stores enforce them inside the write's transaction, exactly, across the
// nodes of a cluster too. 0 means no limit.
struct StoreLimits {
  // CreateJob refuses a job of a namespace that has this many.
  std::size_t max_jobs_per_namespace = 0;
  // TriggerJob refuses a run of a job that has had this many runs created
  // (by any trigger, scheduled ones included) in the minute before `now`.
  std::size_t max_runs_per_job_per_minute = 0;
};

// How far back the run quota counts.
inline constexpr core::Milliseconds kRunQuotaWindow{60'000};

// The kConflict of a full namespace.
core::Error NamespaceFull(const std::string& job_namespace, std::size_t max_jobs);

// The kConflict of a job at its run quota; `oldest_counted` is the creation
// of the oldest run counted, which says when the next run is allowed.
core::Error RunQuotaReached(core::JobId job_id, std::size_t max_runs, core::TimePoint oldest_counted,
                            core::TimePoint now);

}  // namespace jobsched::store
