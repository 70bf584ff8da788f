#include "app/limit_settings.hpp"

#include <string>

#include "core/duration.hpp"

namespace jobsched::app {

core::Result<LimitSettings> ReadLimitSettings(const Config& config) {
  LimitSettings limits;
  limits.job.min_period = core::Milliseconds{config.min_period.count()};
  const std::size_t max_runs = config.max_runs_per_job_per_minute;
  const auto period_ms = limits.job.min_period.count();
  if (max_runs > 0 && (period_ms == 0 || static_cast<std::size_t>(60'000 / period_ms) > max_runs)) {
    return core::Error::InvalidArgument("min_period",
                                        "min_period " + core::FormatDuration(limits.job.min_period) +
                                            " lets one schedule create more than " + std::to_string(max_runs) +
                                            " runs a minute (max_runs_per_job_per_minute): raise min_period to "
                                            "at least " +
                                            std::to_string((60'000 + max_runs - 1) / max_runs) +
                                            "ms, or raise max_runs_per_job_per_minute (0: no limit)");
  }
  limits.store.max_jobs_per_namespace = config.max_jobs_per_namespace;
  limits.store.max_runs_per_job_per_minute = max_runs;
  limits.firing.min_period = limits.job.min_period;
  if (max_runs > 0) limits.firing.max_runs = max_runs;
  return limits;
}

}  // namespace jobsched::app
