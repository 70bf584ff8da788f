#include "core/job_limits.hpp"

#include <string>

#include "core/duration.hpp"

namespace jobsched::core {
namespace {

std::string Minimum(const JobLimits& limits) {
  return "the minimum period is " + FormatDuration(limits.min_period) + " (the operator's min_period)";
}

// The request field a schedule came from.
std::string_view ScheduleField(const Schedule& schedule) {
  switch (schedule.kind()) {
    case ScheduleKind::kEvery: return "every";
    case ScheduleKind::kCron: return "cron";
    case ScheduleKind::kInterval: return "interval";
    case ScheduleKind::kAt: return "at";
  }
  return "every";
}

Result<void> CheckRetries(const RetryPolicy& retry, const JobLimits& limits) {
  if (retry.max_attempts <= 1) return Ok();
  if (retry.initial_delay < limits.min_period) {
    return Error::InvalidArgument("retry.initial_delay", "retry.initial_delay: " + FormatDuration(retry.initial_delay) +
                                                             " is shorter than the minimum period; " + Minimum(limits));
  }
  // RetryDelay takes up to `jitter` of the delay off.
  const Milliseconds shortest{
      static_cast<std::int64_t>(static_cast<double>(retry.initial_delay.count()) * (1.0 - retry.jitter))};
  if (shortest < limits.min_period) {
    return Error::InvalidArgument("retry.jitter", "retry.jitter: a retry could come " +
                                                      FormatDuration(std::max(shortest, Milliseconds{1})) +
                                                      " after a failure; " + Minimum(limits));
  }
  return Ok();
}

}  // namespace

Result<void> CheckJobLimits(const Job& job, const JobLimits& limits) {
  if (limits.min_period <= Milliseconds{0}) return Ok();
  if (const auto gap = job.schedule.MinimumGap()) {
    const std::string field(ScheduleField(job.schedule));
    if (*gap < limits.min_period) {
      const std::string what = job.schedule.kind() == ScheduleKind::kEvery
                                   ? FormatDuration(*gap) + " is shorter than the minimum period"
                                   : "fires as often as every " + FormatDuration(*gap);
      return Error::InvalidArgument(field, field + ": " + what + "; " + Minimum(limits));
    }
    if (job.jitter > Milliseconds{0} && *gap - job.jitter < limits.min_period) {
      const Milliseconds closest = std::max(*gap - job.jitter, Milliseconds{0});
      return Error::InvalidArgument("jitter", "jitter: " + FormatDuration(job.jitter) + " on a schedule " +
                                                  FormatDuration(*gap) + " apart lets two runs start " +
                                                  (closest.count() > 0 ? FormatDuration(closest) : "0ms") + " apart; " +
                                                  Minimum(limits));
    }
  }
  return CheckRetries(job.retry, limits);
}

}  // namespace jobsched::core
