#include "store/row_columns.hpp"

namespace jobsched::store {

const std::string_view kJobColumns =
    "jobs.id, jobs.name, jobs.schedule_kind, jobs.schedule_expr, jobs.start_at, jobs.end_at, jobs.task, "
    "jobs.is_active, jobs.last_run, jobs.next_run, jobs.created_at, jobs.updated_at, jobs.version, "
    "jobs.timeout_ms, jobs.timezone, jobs.retry, jobs.misfire, jobs.catchup_window_ms, "
    "jobs.overlap, jobs.jitter_ms, jobs.namespace, jobs.labels, jobs.paused_reason, jobs.paused_at, jobs.paused_until, "
    "jobs.alerts";

const std::string_view kRunColumns =
    "runs.id, runs.job_id, runs.scheduled_for, runs.trigger, runs.state, runs.attempt, runs.created_at, "
    "runs.started_at, runs.finished_at, runs.duration_ms, runs.output, runs.error, runs.jitter_ms, "
    "runs.cancel_requested_at";

const std::string_view kKeyColumns =
    "api_keys.id, api_keys.name, api_keys.role, api_keys.namespace, api_keys.token_hash, api_keys.rate_limit, "
    "api_keys.created_at, api_keys.revoked_at, api_keys.expires_at";

std::optional<core::TimePoint> OptionalTime(std::optional<std::int64_t> ms) {
  if (!ms) return std::nullopt;
  return core::FromUnixMs(*ms);
}

std::optional<std::int64_t> OptionalMs(std::optional<core::TimePoint> time) {
  if (!time) return std::nullopt;
  return core::ToUnixMs(*time);
}

std::optional<std::int64_t> OptionalMs(std::optional<core::Milliseconds> duration) {
  if (!duration) return std::nullopt;
  return duration->count();
}

}  // namespace jobsched::store
