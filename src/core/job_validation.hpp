#pragma once

#include <optional>
#include <string>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// A create request as the client sent it, decoded from JSON but not yet
// checked against the rules of a job. Absent fields are nullopt.
struct JobRequest {
  std::optional<std::string> name;
  std::optional<std::string> interval;
  std::optional<std::string> every;
  std::optional<std::string> cron;
  std::optional<std::string> timezone;  // only with cron
  std::optional<std::string> at;        // RFC 3339
  std::optional<std::string> start_at;  // RFC 3339; recurring schedules only
  std::optional<std::string> end_at;    // RFC 3339, exclusive; recurring schedules only
  std::optional<bool> is_active;
  std::optional<Task> task;
  std::optional<std::string> timeout;         // a duration, e.g. "30s"
  std::optional<RetryPolicy> retry;           // already decoded; checked here
  std::optional<std::string> misfire;         // run_once | skip | run_all
  std::optional<std::string> catchup_window;  // a duration
  std::optional<std::string> overlap;         // skip | allow | queue
  std::optional<std::string> jitter;          // a duration, "0s" for none
  // The job's namespace (see job_namespace.hpp); the API fills it in from the
  // caller's key when the client names none.
  std::optional<std::string> namespace_name;
  // The job's labels; on a patch they replace the job's labels whole.
  std::optional<Labels> labels;
  // The job's alert rule, already decoded; checked here. On a patch it
  // replaces the job's rule whole.
  std::optional<AlertRule> alerts;
};

// Checks a create request and builds the job to store, with next_run
// computed from `now`. Fails with kInvalidArgument naming the field at fault:
// a missing, empty, over-long or control-character name; no schedule field,
// or more than one; an unknown interval; a bad duration, cron expression,
// time zone or date-time; a timezone without cron; a window on a one-shot
// job, or one that ends before it starts; an `at` more than a minute past;
// a malformed namespace; a bad label key or value (field labels.<key>), or
// more than kMaxLabels labels; a bad alert rule (field alerts.<member>).
// Without a namespace the job goes to "default".
Result<Job> ValidateNewJob(const JobRequest& request, TimePoint now);

// Sets `job`'s run policies (misfire, catchup_window, overlap, jitter) from
// the request's fields, when given. Fails with kInvalidArgument naming the field.
Result<void> ApplyRunPolicyFields(const JobRequest& request, Job& job);

// The schedule the request's schedule fields describe (exactly one of
// interval, every, cron, at; plus timezone, start_at, end_at). Shared with the
// preview endpoint. Fails like ValidateNewJob.
Result<Schedule> ScheduleFromRequest(const JobRequest& request, TimePoint now);

// Checks a job name: 1 to kMaxJobNameLength characters of valid UTF-8, not
// only white space, no control characters.
Result<void> ValidateJobName(const std::string& name);

}  // namespace jobsched::core
