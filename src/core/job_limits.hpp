#pragma once

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// What an operator allows one job to do (settings min_period and friends),
// beyond what every job must be (ValidateNewJob).
struct JobLimits {
  // The least time between two runs of a job: its schedule's shortest gap,
  // that gap less the job's jitter, and its first retry delay (less the
  // retry jitter). Zero checks nothing.
  Milliseconds min_period{1000};
};

// Whether `job` stays within `limits`. Fails with kInvalidArgument naming the
// field ("every", "cron", "interval", "jitter", "retry.initial_delay",
// "retry.jitter") and the minimum, e.g. "every: 500ms is shorter than the
// minimum period; the minimum period is 1s (the operator's min_period)".
// One-shot (`at`) jobs have no period; a job without retries no retry delay.
Result<void> CheckJobLimits(const Job& job, const JobLimits& limits);

}  // namespace jobsched::core
