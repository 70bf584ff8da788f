#pragma once

#include <optional>
#include <string>
#include <utility>
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

// What each database reads and writes for AlertStore::CheckAlerts, in its
// own transaction and dialect; RunAlertChecks decides in between.
class AlertCheckRows {
 public:
  virtual ~AlertCheckRows() = default;
  // Queued first attempts of jobs whose rule watches `late`, scheduled at
  // least 1 s before `now`, without a late alert yet: oldest first.
  virtual core::Result<std::vector<std::pair<AlertSubject, AlertRunFacts>>> LateRuns(core::TimePoint now,
                                                                                     std::size_t limit) = 0;
  // Jobs whose silent_at has passed (rule_json empty: they have no rule now).
  virtual core::Result<std::vector<AlertSubject>> SilentJobs(core::TimePoint now, std::size_t limit) = 0;
  // Jobs whose rule watches `silent` and that have no state row yet.
  virtual core::Result<std::vector<AlertSubject>> UnwatchedJobs(std::size_t limit) = 0;
  virtual core::Result<void> Write(const AlertWrite& write, std::vector<RaisedAlert>& raised) = 0;
  // A job without a rule any more: its silence is not watched.
  virtual core::Result<void> Unwatch(core::JobId job_id) = 0;
};

// The checks of AlertStore::CheckAlerts on `rows`: late runs, silent jobs,
// jobs to watch from `now`. Returns how many alerts were raised.
core::Result<std::size_t> RunAlertChecks(AlertCheckRows& rows, core::TimePoint now, std::size_t limit,
                                         std::vector<RaisedAlert>& raised);

}  // namespace jobsched::store
