#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codec/alert_rule_codec.hpp"
#include "core/result.hpp"
#include "store/alert_raise.hpp"
#include "store/alert_store.hpp"

namespace jobsched::store {

// The alerts columns both stores read, in the order AlertFromColumns takes them.
inline constexpr std::string_view kAlertColumns =
    "alerts.id, alerts.job_id, alerts.namespace, alerts.job_name, alerts.event, alerts.raised_at, alerts.run_id, "
    "alerts.run_state, alerts.scheduled_for, alerts.error, alerts.lateness_ms, alerts.consecutive_failures, "
    "alerts.silent_for_ms, alerts.channel_index, alerts.channel, alerts.state, alerts.attempts, "
    "alerts.next_attempt_at, alerts.last_error, alerts.sent_at";
inline constexpr int kAlertColumnCount = 20;

// A job with its effective rule and alert state (AlertSubject), read from
// jobs + kAlertSubjectJoins where kHasAlertRule: the job's rule, or else its
// namespace's; the state's defaults when the job has no row yet.
inline constexpr std::string_view kAlertSubjectColumns =
    "jobs.id, jobs.name, jobs.namespace, coalesce(jobs.alerts, namespace_alert_rules.rule), "
    "coalesce(job_alert_state.consecutive_failures, 0), coalesce(job_alert_state.failure_alerted, 0), "
    "job_alert_state.last_raised_at, job_alert_state.last_success_at, job_alert_state.silence_alerted_at, "
    "coalesce(job_alert_state.watched_since, jobs.created_at)";
inline constexpr int kAlertSubjectColumnCount = 10;
inline constexpr std::string_view kAlertSubjectJoins =
    " LEFT JOIN namespace_alert_rules ON namespace_alert_rules.namespace = jobs.namespace "
    "LEFT JOIN job_alert_state ON job_alert_state.job_id = jobs.id";
inline constexpr std::string_view kHasAlertRule = "(jobs.alerts IS NOT NULL OR namespace_alert_rules.rule IS NOT NULL)";

// `Row` reads one row: OptionalInt(column) and Text(column) (NULL as "").
template <typename Row>
AlertSubject AlertSubjectFromColumns(const Row& row, int first = 0) {
  auto time = [&](int column) -> std::optional<core::TimePoint> {
    const auto ms = row.OptionalInt(first + column);
    if (!ms) return std::nullopt;
    return core::FromUnixMs(*ms);
  };
  AlertSubject subject;
  subject.job_id = row.OptionalInt(first).value_or(0);
  subject.job_name = row.Text(first + 1);
  subject.namespace_name = row.Text(first + 2);
  subject.rule_json = row.Text(first + 3);
  subject.state.consecutive_failures = static_cast<int>(row.OptionalInt(first + 4).value_or(0));
  subject.state.failure_alerted = row.OptionalInt(first + 5).value_or(0) != 0;
  subject.state.last_raised_at = time(6);
  subject.state.last_success_at = time(7);
  subject.state.silence_alerted_at = time(8);
  subject.watched_since = time(9).value_or(core::TimePoint{});
  return subject;
}

template <typename Row>
core::Result<Alert> AlertFromColumns(const Row& row, int first = 0) {
  auto integer = [&](int column) { return row.OptionalInt(first + column); };
  auto time = [&](int column) -> std::optional<core::TimePoint> {
    const auto ms = integer(column);
    if (!ms) return std::nullopt;
    return core::FromUnixMs(*ms);
  };
  auto millis = [&](int column) -> std::optional<core::Milliseconds> {
    const auto ms = integer(column);
    if (!ms) return std::nullopt;
    return core::Milliseconds{*ms};
  };
  Alert alert;
  alert.id = integer(0).value_or(0);
  alert.job_id = integer(1).value_or(0);
  alert.namespace_name = row.Text(first + 2);
  alert.job_name = row.Text(first + 3);
  const auto event = core::ParseAlertEvent(row.Text(first + 4));
  const auto state = ParseAlertDelivery(row.Text(first + 15));
  if (!event || !state) return core::Error::Internal("stored alert has an unknown event or state");
  alert.event = *event;
  alert.state = *state;
  alert.raised_at = time(5).value_or(core::TimePoint{});
  alert.run_id = integer(6);
  alert.run_state = core::ParseRunState(row.Text(first + 7));
  alert.scheduled_for = time(8);
  alert.error = row.Text(first + 9);
  alert.lateness = millis(10);
  alert.consecutive_failures = static_cast<int>(integer(11).value_or(0));
  alert.silent_for = millis(12);
  alert.channel_index = static_cast<int>(integer(13).value_or(0));
  auto channel = codec::DecodeAlertChannel(row.Text(first + 14));
  if (!channel) return core::Error::Internal("stored alert has a bad channel: " + channel.error().message);
  alert.channel = std::move(channel).value();
  alert.attempts = static_cast<int>(integer(16).value_or(0));
  alert.next_attempt_at = time(17).value_or(core::TimePoint{});
  alert.last_error = row.Text(first + 18);
  alert.sent_at = time(19);
  return alert;
}

}  // namespace jobsched::store
