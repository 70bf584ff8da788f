#include "core/alert_policy.hpp"

#include <algorithm>

namespace jobsched::core {
namespace {

bool InQuietPeriod(const AlertRule& rule, const AlertState& state, TimePoint at) {
  return state.last_raised_at && at < *state.last_raised_at + rule.quiet_period;
}

// Raises `event` at `at` unless the quiet period holds it back.
AlertDecision Raise(const AlertRule& rule, AlertState next, AlertEvent event, TimePoint at) {
  if (InQuietPeriod(rule, next, at)) return AlertDecision{std::nullopt, true, next};
  next.last_raised_at = at;
  return AlertDecision{event, false, next};
}

AlertDecision OnFailure(const AlertRule& rule, AlertState next, TimePoint at) {
  next.consecutive_failures = std::min(next.consecutive_failures + 1, kMaxAlertFailureThreshold + 1);
  if (!rule.Watches(AlertEvent::kFailed) || next.failure_alerted || next.consecutive_failures < rule.after_failures) {
    return AlertDecision{std::nullopt, false, next};
  }
  AlertDecision decision = Raise(rule, next, AlertEvent::kFailed, at);
  decision.next.failure_alerted = decision.raise.has_value();
  return decision;
}

AlertDecision OnSuccess(const AlertRule& rule, AlertState next, TimePoint at) {
  const bool recovered = next.failure_alerted && rule.Watches(AlertEvent::kRecovered);
  next.consecutive_failures = 0;
  next.failure_alerted = false;
  next.last_success_at = at;
  next.silence_alerted_at.reset();
  // A recovery does not restart the quiet period: it is the good news of
  // an alert already counted.
  return AlertDecision{recovered ? std::optional(AlertEvent::kRecovered) : std::nullopt, false, next};
}

}  // namespace

AlertDecision OnRunEnded(const AlertRule& rule, const AlertState& state, RunState outcome, TimePoint at) {
  switch (outcome) {
    case RunState::kFailed:
    case RunState::kTimedOut: return OnFailure(rule, state, at);
    case RunState::kSucceeded: return OnSuccess(rule, state, at);
    case RunState::kSkipped:
      if (rule.Watches(AlertEvent::kSkipped)) return Raise(rule, state, AlertEvent::kSkipped, at);
      break;
    case RunState::kCancelled:
    case RunState::kQueued:
    case RunState::kRunning: break;
  }
  return AlertDecision{std::nullopt, false, state};
}

AlertDecision OnRunNotStarted(const AlertRule& rule, const AlertState& state, TimePoint scheduled_for, TimePoint now) {
  if (!rule.Watches(AlertEvent::kLate) || !rule.late_after || now < scheduled_for + *rule.late_after) {
    return AlertDecision{std::nullopt, false, state};
  }
  return Raise(rule, state, AlertEvent::kLate, now);
}

std::optional<TimePoint> SilentAt(const AlertRule& rule, const AlertState& state, TimePoint watched_since) {
  if (!rule.Watches(AlertEvent::kSilent) || !rule.silent_for || state.silence_alerted_at) return std::nullopt;
  const TimePoint since = state.last_success_at ? std::max(*state.last_success_at, watched_since) : watched_since;
  return since + *rule.silent_for;
}

AlertDecision OnSilenceCheck(const AlertRule& rule, const AlertState& state, TimePoint watched_since, TimePoint now) {
  const std::optional<TimePoint> silent_at = SilentAt(rule, state, watched_since);
  if (!silent_at || now < *silent_at) return AlertDecision{std::nullopt, false, state};
  AlertDecision decision = Raise(rule, state, AlertEvent::kSilent, now);
  if (decision.raise) decision.next.silence_alerted_at = now;
  return decision;
}

}  // namespace jobsched::core
