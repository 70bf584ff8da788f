#include "core/job_validation.hpp"

#include <chrono>
#include <vector>

#include "core/duration.hpp"
#include "core/utf8.hpp"

namespace jobsched::core {
namespace {

// C0, DEL and C1 controls: never wanted in a name, and C1's CSI can steer a
// terminal that shows a log line.
bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

bool IsBlank(char32_t c) {
  return c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

}  // namespace

Result<void> ValidateJobName(const std::string& name) {
  const auto code_points = DecodeUtf8(name);
  if (!code_points) return Error::InvalidArgument("name", "name: not valid UTF-8");
  if (code_points->empty()) return Error::InvalidArgument("name", "name: must not be empty");
  if (code_points->size() > kMaxJobNameLength) {
    return Error::InvalidArgument("name", "name: at most " + std::to_string(kMaxJobNameLength) + " characters, got " +
                                              std::to_string(code_points->size()));
  }
  bool only_space = true;
  for (const char32_t c : *code_points) {
    if (IsControl(c)) return Error::InvalidArgument("name", "name: must not contain control characters");
    if (!IsBlank(c)) only_space = false;
  }
  if (only_space) return Error::InvalidArgument("name", "name: must not be only white space");
  return Ok();
}

Result<void> ApplyRunPolicyFields(const JobRequest& request, Job& job) {
  if (request.misfire) {
    auto policy = ParseMisfirePolicy(*request.misfire);
    if (!policy) return Error::InvalidArgument("misfire", "misfire: must be run_once, skip or run_all");
    job.misfire = *policy;
  }
  if (request.catchup_window) {
    auto window = ParseDuration(*request.catchup_window, "catchup_window");
    if (!window) return window.error();
    job.catchup_window = *window;
  }
  if (request.overlap) {
    auto policy = ParseOverlapPolicy(*request.overlap);
    if (!policy) return Error::InvalidArgument("overlap", "overlap: must be skip, allow or queue");
    job.overlap = *policy;
  }
  if (request.jitter) {
    if (*request.jitter == "0s" || *request.jitter == "0") {
      job.jitter = Milliseconds{0};
    } else {
      auto jitter = ParseDuration(*request.jitter, "jitter");
      if (!jitter) return jitter.error();
      if (*jitter > kMaxJitter) return Error::InvalidArgument("jitter", "jitter: at most 24h");
      job.jitter = *jitter;
    }
  }
  return Ok();
}

namespace {

// The schedule's optional window [start_at, end_at), checked.
struct ScheduleWindow {
  std::optional<TimePoint> start_at;
  std::optional<TimePoint> end_at;
};

Result<ScheduleWindow> WindowFromRequest(const JobRequest& request) {
  ScheduleWindow window;
  if (request.start_at) {
    auto parsed = ParseRfc3339(*request.start_at, "start_at");
    if (!parsed) return parsed.error();
    window.start_at = *parsed;
  }
  if (request.end_at) {
    auto parsed = ParseRfc3339(*request.end_at, "end_at");
    if (!parsed) return parsed.error();
    window.end_at = *parsed;
  }
  if (window.start_at && window.end_at && *window.end_at <= *window.start_at) {
    return Error::InvalidArgument("end_at", "end_at: must be after start_at");
  }
  return window;
}

// Exactly one of interval, every, cron and at; a timezone only with cron.
Result<void> CheckScheduleFields(const JobRequest& request) {
  const int schedule_fields =
      (request.interval ? 1 : 0) + (request.every ? 1 : 0) + (request.cron ? 1 : 0) + (request.at ? 1 : 0);
  if (schedule_fields == 0) {
    return Error::InvalidArgument("interval", "a job needs exactly one schedule field: interval, every, cron or at");
  }
  if (schedule_fields > 1) {
    const char* second = request.at ? "at" : request.cron ? "cron" : "every";
    return Error::InvalidArgument(second, "interval, every, cron and at are exclusive; choose one schedule field");
  }
  if (request.timezone && !request.cron) {
    return Error::InvalidArgument("timezone", "timezone: only applies to cron schedules");
  }
  return Ok();
}

}  // namespace

Result<Schedule> ScheduleFromRequest(const JobRequest& request, TimePoint now) {
  if (auto fields = CheckScheduleFields(request); !fields) return fields.error();
  auto window = WindowFromRequest(request);
  if (!window) return window.error();
  const std::optional<TimePoint> start_at = window->start_at;
  std::optional<TimePoint> end_at = window->end_at;

  if (request.at) {
    if (start_at || end_at) {
      return Error::InvalidArgument(start_at ? "start_at" : "end_at",
                                    "start_at and end_at apply to recurring schedules, not to at");
    }
    auto at = ParseRfc3339(*request.at, "at");
    if (!at) return at.error();
    // A little slack for clocks that disagree; anything older is a mistake.
    if (*at < now - std::chrono::minutes{1}) return Error::InvalidArgument("at", "at: is in the past");
    return Schedule::At(*at);
  }
  if (request.cron) {
    auto cron = Schedule::Cron(*request.cron, request.timezone.value_or(""));
    if (!cron) return cron.error();
    return cron->WithWindow(start_at, end_at);
  }
  if (request.every) {
    auto period = ParseDuration(*request.every, "every");
    if (!period) return period.error();
    return Schedule::Every(*period).WithWindow(start_at, end_at);
  }
  auto interval = ParseNamedInterval(*request.interval);
  if (!interval) {
    return Error::InvalidArgument("interval",
                                  "interval: unknown value '" + request.interval->substr(0, 64) +
                                      "'; expected one of hourly, daily, weekly, monthly, hourly_for_today");
  }
  if (*interval == NamedInterval::kHourlyForToday && !end_at) {
    // "For today" ends at the next UTC midnight after creation.
    end_at = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
  }
  return Schedule::Interval(*interval).WithWindow(start_at, end_at);
}

Result<Job> ValidateNewJob(const JobRequest& request, TimePoint now) {
  if (!request.name) return Error::InvalidArgument("name", "name: required");
  if (auto valid = ValidateJobName(*request.name); !valid) return valid.error();
  if (request.task) {
    if (auto valid = ValidateTask(*request.task); !valid) return valid.error();
    // The placeholder stands for a stored secret, and a new job has none.
    Task task = *request.task;
    if (auto kept = KeepRedactedSecrets(task, std::nullopt); !kept) return kept.error();
  }
  auto schedule = ScheduleFromRequest(request, now);
  if (!schedule) return schedule.error();

  Milliseconds timeout = kDefaultJobTimeout;
  if (request.timeout) {
    auto parsed = ParseDuration(*request.timeout, "timeout");
    if (!parsed) return parsed.error();
    if (*parsed > kMaxJobTimeout) return Error::InvalidArgument("timeout", "timeout: at most 24h");
    timeout = *parsed;
  }

  if (request.retry) {
    if (auto valid = ValidateRetryPolicy(*request.retry); !valid) return valid.error();
  }
  if (request.namespace_name) {
    if (auto valid = ValidateNamespace(*request.namespace_name); !valid) return valid.error();
  }

  if (request.labels) {
    if (auto valid = ValidateLabels(*request.labels); !valid) return valid.error();
  }
  if (request.alerts) {
    if (auto valid = ValidateAlertRule(*request.alerts); !valid) return valid.error();
    AlertRule rule = *request.alerts;
    if (auto kept = KeepRedactedAlertSecrets(rule, std::nullopt); !kept) return kept.error();
  }

  Job job;
  if (auto policies = ApplyRunPolicyFields(request, job); !policies) return policies.error();
  job.name = *request.name;
  job.namespace_name = request.namespace_name.value_or(std::string(kDefaultNamespace));
  job.timeout = timeout;
  job.retry = request.retry.value_or(RetryPolicy{});
  job.schedule = std::move(schedule).value();
  job.task = request.task;
  job.labels = request.labels.value_or(Labels{});
  job.alerts = request.alerts;
  job.is_active = request.is_active.value_or(true);
  job.created_at = now;
  job.updated_at = now;
  job.next_run = job.is_active ? job.schedule.FirstRun(now) : std::nullopt;
  return job;
}

}  // namespace jobsched::core
