#pragma once

#include <set>
#include <string>

#include "core/job.hpp"
#include "core/job_validation.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// A JSON merge patch of a job (RFC 7396), decoded: the members set to a
// value, and the members set to null (removed).
struct JobPatch {
  JobRequest set;
  std::set<std::string> cleared;  // "task", "timezone", "start_at", "end_at", "retry" (to the default), "labels" (all),
                                  // "alerts" (the namespace default applies)
};

// The job after `patch`, validated exactly like a new job. Setting one
// schedule field (interval, every, cron, at) replaces the schedule; timezone,
// start_at and end_at adjust it. A change of schedule or of is_active
// recomputes next_run from `now` (so resuming counts paused time as neither
// missed nor run); resuming clears the pause's reason and end (job_pause.hpp),
// pausing records paused_at. A new task's secrets sent as kRedacted keep the current
// task's values (KeepRedactedSecrets). `labels` replaces the job's labels
// whole, as `task` and `retry` replace theirs (null removes them all), and so
// does `alerts` (a channel's secrets sent as kRedacted keep the stored ones). The version goes up by one, unless
// the patch is empty. A `namespace` other than the job's own is refused:
// jobs never move.
// Fails with kInvalidArgument naming the field, like ValidateNewJob.
Result<Job> ApplyJobPatch(const Job& current, const JobPatch& patch, TimePoint now);

}  // namespace jobsched::core
