#pragma once

#include <optional>

#include "core/alert_rule.hpp"
#include "core/run.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// What is kept per job to decide its alerts, updated in the transaction that
// records each outcome (docs/decisions/0011-alerts.md).
struct AlertState {
  int consecutive_failures = 0;  // runs ended failed or timed_out since the last success
  bool failure_alerted = false;  // a kFailed alert was raised for this streak
  // The newest alert the quiet period counts from (a recovery does not count).
  std::optional<TimePoint> last_raised_at;
  std::optional<TimePoint> last_success_at;
  // When the current silence was alerted; cleared by the next success.
  std::optional<TimePoint> silence_alerted_at;

  friend bool operator==(const AlertState&, const AlertState&) = default;
};

// What one outcome or check means: the alert to raise, if any (`quieted`
// when one was due but the quiet period held it back), and the state to keep.
struct AlertDecision {
  std::optional<AlertEvent> raise;
  bool quieted = false;
  AlertState next;
};

// A run ended in `state` at `at`, after its last attempt (a failure that will
// be retried is not an outcome yet). failed and timed_out lengthen the
// streak, which raises kFailed once, when it reaches after_failures (or at
// the first failure past it once a quiet period ends); succeeded ends it,
// raising kRecovered when kFailed was raised; skipped raises kSkipped;
// cancelled changes nothing.
AlertDecision OnRunEnded(const AlertRule& rule, const AlertState& state, RunState outcome, TimePoint at);

// A run scheduled for `scheduled_for` has not started by `now`: kLate once
// `late_after` has passed. The caller raises it at most once per run.
AlertDecision OnRunNotStarted(const AlertRule& rule, const AlertState& state, TimePoint scheduled_for, TimePoint now);

// The instant the job falls silent: `silent_for` after its last success, or
// after `watched_since` (the job's creation, or when the rule was set) when
// it has none since; nullopt when the rule does not watch for silence or the
// silence was alerted already.
std::optional<TimePoint> SilentAt(const AlertRule& rule, const AlertState& state, TimePoint watched_since);

// A check at `now`: kSilent once SilentAt has passed, once per silence.
AlertDecision OnSilenceCheck(const AlertRule& rule, const AlertState& state, TimePoint watched_since, TimePoint now);

}  // namespace jobsched::core
