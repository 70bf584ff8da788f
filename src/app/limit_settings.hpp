#pragma once

#include "app/config.hpp"
#include "core/firing.hpp"
#include "core/job_limits.hpp"
#include "core/result.hpp"
#include "store/store_limits.hpp"

namespace jobsched::app {

// The operator's limits (min_period, max_jobs_per_namespace,
// max_runs_per_job_per_minute) as each part of the service takes them.
struct LimitSettings {
  core::JobLimits job;        // the API's checks of a new or changed job
  store::StoreLimits store;   // the quotas the store enforces
  core::FiringLimits firing;  // what one firing of a job may create
};

// Reads them from `config`, checked together: a minimum period that lets one
// schedule create more runs a minute than the run quota would make the quota
// a lie (60 s / min_period must not exceed it). Fails with kInvalidArgument
// naming "min_period" and the least period that fits.
core::Result<LimitSettings> ReadLimitSettings(const Config& config);

}  // namespace jobsched::app
