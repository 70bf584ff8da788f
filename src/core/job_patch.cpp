#include "core/job_patch.hpp"

#include "core/duration.hpp"
#include "core/job_pause.hpp"

namespace jobsched::core {
namespace {

bool Touches(const JobPatch& patch, const std::optional<std::string>& field, const char* name) {
  return field.has_value() || patch.cleared.count(name) > 0;
}

// The schedule fields of `current`, as a create request would spell them.
JobRequest ScheduleFieldsOf(const Job& current) {
  JobRequest request;
  const Schedule& schedule = current.schedule;
  switch (schedule.kind()) {
    case ScheduleKind::kInterval: request.interval = schedule.expression(); break;
    case ScheduleKind::kEvery: request.every = schedule.expression(); break;
    case ScheduleKind::kCron:
      request.cron = schedule.expression();
      request.timezone = schedule.timezone();
      break;
    case ScheduleKind::kAt: request.at = schedule.expression(); break;
  }
  // hourly_for_today's end is derived from the day it is (re)set on.
  const bool derived_end = schedule.named_interval() == NamedInterval::kHourlyForToday;
  if (schedule.start_at()) request.start_at = FormatRfc3339(*schedule.start_at());
  if (schedule.end_at() && !derived_end) request.end_at = FormatRfc3339(*schedule.end_at());
  return request;
}

Result<Schedule> PatchedSchedule(const Job& current, const JobPatch& patch, TimePoint now) {
  const JobRequest& set = patch.set;
  JobRequest request = ScheduleFieldsOf(current);
  const int kinds = (set.interval ? 1 : 0) + (set.every ? 1 : 0) + (set.cron ? 1 : 0) + (set.at ? 1 : 0);
  if (kinds > 1) {
    return Error::InvalidArgument(set.at     ? "at"
                                  : set.cron ? "cron"
                                             : "every",
                                  "interval, every, cron and at are exclusive; choose one schedule field");
  }
  if (kinds == 1) {
    const bool keeps_zone = set.cron.has_value() && request.cron.has_value();
    request.interval = set.interval;
    request.every = set.every;
    request.cron = set.cron;
    request.at = set.at;
    if (!keeps_zone) request.timezone.reset();
  }
  if (set.timezone) request.timezone = set.timezone;
  if (patch.cleared.count("timezone")) request.timezone.reset();
  if (set.start_at) request.start_at = set.start_at;
  if (patch.cleared.count("start_at")) request.start_at.reset();
  if (set.end_at) request.end_at = set.end_at;
  if (patch.cleared.count("end_at")) request.end_at.reset();
  return ScheduleFromRequest(request, now);
}

bool IsEmpty(const JobPatch& patch) {
  const JobRequest& set = patch.set;
  return !set.name && !set.interval && !set.every && !set.cron && !set.timezone && !set.at && !set.start_at &&
         !set.end_at && !set.is_active && !set.task && !set.timeout && !set.retry && !set.misfire &&
         !set.catchup_window && !set.overlap && !set.jitter && !set.labels && !set.alerts && patch.cleared.empty();
}

// Labels and the alert rule are replaced whole; null removes them (for
// `alerts`, the namespace's default rule applies again).
Result<void> PatchLabelsAndAlerts(const JobPatch& patch, const Job& current, Job& job) {
  if (patch.set.labels) {
    if (auto valid = ValidateLabels(*patch.set.labels); !valid) return valid.error();
    job.labels = *patch.set.labels;
  }
  if (patch.cleared.count("labels")) job.labels.clear();
  if (patch.set.alerts) {
    AlertRule rule = *patch.set.alerts;
    if (auto kept = KeepRedactedAlertSecrets(rule, current.alerts); !kept) return kept.error();
    if (auto valid = ValidateAlertRule(rule); !valid) return valid.error();
    job.alerts = std::move(rule);
  }
  if (patch.cleared.count("alerts")) job.alerts.reset();
  return Ok();
}

}  // namespace

Result<Job> ApplyJobPatch(const Job& current, const JobPatch& patch, TimePoint now) {
  const JobRequest& set = patch.set;
  // A client may echo a job's namespace back; it may not change it (the
  // namespace decides who can see the job, so moving it is not an edit).
  if (set.namespace_name && *set.namespace_name != current.namespace_name) {
    return Error::InvalidArgument("namespace", "namespace: a job cannot move to another namespace (it is in '" +
                                                   current.namespace_name + "'); create it there instead");
  }
  // An empty patch changes nothing, so it must not bump the version (which
  // would fail other clients' If-Match for no reason).
  if (IsEmpty(patch)) return current;
  Job job = current;
  if (set.name) {
    if (auto valid = ValidateJobName(*set.name); !valid) return valid.error();
    job.name = *set.name;
  }
  if (set.timeout) {
    auto timeout = ParseDuration(*set.timeout, "timeout");
    if (!timeout) return timeout.error();
    if (*timeout > kMaxJobTimeout) return Error::InvalidArgument("timeout", "timeout: at most 24h");
    job.timeout = *timeout;
  }
  if (set.task) {
    Task task = *set.task;
    // A client writing back what it read sends REDACTED for each secret.
    if (auto kept = KeepRedactedSecrets(task, current.task); !kept) return kept.error();
    if (auto valid = ValidateTask(task); !valid) return valid.error();
    job.task = std::move(task);
  }
  if (patch.cleared.count("task")) job.task.reset();
  if (auto policies = ApplyRunPolicyFields(set, job); !policies) return policies.error();
  if (auto replaced = PatchLabelsAndAlerts(patch, current, job); !replaced) return replaced.error();
  if (patch.cleared.count("retry")) job.retry = RetryPolicy{};
  if (set.retry) {
    if (auto valid = ValidateRetryPolicy(*set.retry); !valid) return valid.error();
    job.retry = *set.retry;
  }

  const bool schedule_touched = set.interval || set.every || set.cron || set.at ||
                                Touches(patch, set.timezone, "timezone") || Touches(patch, set.start_at, "start_at") ||
                                Touches(patch, set.end_at, "end_at");
  if (schedule_touched) {
    auto schedule = PatchedSchedule(current, patch, now);
    if (!schedule) return schedule.error();
    job.schedule = std::move(schedule).value();
  }
  const bool activity_changed = set.is_active && *set.is_active != current.is_active;
  if (set.is_active) job.is_active = *set.is_active;
  if (activity_changed) NoteActivityChange(job, now);
  if (schedule_touched || activity_changed) {
    job.next_run = job.is_active ? job.schedule.FirstRun(now) : std::nullopt;
  }
  job.updated_at = now;
  job.version = current.version + 1;
  return job;
}

}  // namespace jobsched::core
