#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/alert_policy.hpp"
#include "core/alert_rule.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "store/alert_store.hpp"

namespace jobsched::store {

// What both stores read, in the transaction that ends a run (or checks a
// job), before deciding its alerts: the job, its rule (its own or its
// namespace's, as codec JSON) and what core::AlertState it keeps.
struct AlertSubject {
  core::JobId job_id = 0;
  std::string job_name;
  std::string namespace_name;
  std::string rule_json;
  core::AlertState state;
  // Since when the job is watched (its job_alert_state row's, or the job's
  // creation for a job without one): silence counts from here at the latest.
  core::TimePoint watched_since;
};

// The run that ended, or that is late.
struct AlertRunFacts {
  core::RunId run_id = 0;
  core::RunState state = core::RunState::kSucceeded;
  core::TimePoint scheduled_for;
  std::string error;
  core::TimePoint at;  // when it ended, or when the check ran
};

// What to write in the same transaction: the job's new state (and its
// silent_at, for the silence check's range scan), and one alert row per
// channel when an alert is raised.
struct AlertWrite {
  core::JobId job_id = 0;
  core::AlertState state;
  core::TimePoint watched_since;
  std::optional<core::TimePoint> silent_at;
  std::vector<Alert> alerts;
  std::optional<RaisedAlert> raised;
};

// The run ended (core::OnRunEnded). Fails with kInternal for a stored rule
// that does not decode.
core::Result<AlertWrite> DecideRunEnded(const AlertSubject& subject, const AlertRunFacts& run);

// The run has not started by run.at (core::OnRunNotStarted).
core::Result<AlertWrite> DecideRunLate(const AlertSubject& subject, const AlertRunFacts& run);

// A silence check at `now` (core::OnSilenceCheck).
core::Result<AlertWrite> DecideSilence(const AlertSubject& subject, core::TimePoint now);

// The job's state row for a rule set or changed at `now` (silent_at from
// then), without raising anything.
core::Result<AlertWrite> WatchFrom(const AlertSubject& subject, core::TimePoint now);

}  // namespace jobsched::store
