#include "store/alert_raise.hpp"

#include <map>
#include <utility>

#include "codec/alert_rule_codec.hpp"

namespace jobsched::store {
namespace {

core::Result<core::AlertRule> RuleOf(const AlertSubject& subject) {
  auto rule = codec::DecodeAlertRule(subject.rule_json);
  if (!rule) {
    return core::Error::Internal("job " + std::to_string(subject.job_id) +
                                 " has a bad stored alert rule: " + rule.error().message);
  }
  return rule;
}

// The rows of `decision`: its state, and an alert per channel when it raises one.
AlertWrite Rows(const core::AlertRule& rule, const AlertSubject& subject, const core::AlertDecision& decision,
                const AlertRunFacts* run, core::TimePoint at) {
  AlertWrite write;
  write.job_id = subject.job_id;
  write.state = decision.next;
  write.watched_since = subject.watched_since;
  write.silent_at = core::SilentAt(rule, decision.next, subject.watched_since);
  if (!decision.raise) return write;
  Alert alert;
  alert.job_id = subject.job_id;
  alert.namespace_name = subject.namespace_name;
  alert.job_name = subject.job_name;
  alert.event = *decision.raise;
  alert.raised_at = at;
  alert.next_attempt_at = at;
  if (run != nullptr) {
    alert.run_id = run->run_id;
    alert.run_state = run->state;
    alert.scheduled_for = run->scheduled_for;
    alert.error = run->error;
    if (alert.event == core::AlertEvent::kLate) alert.lateness = run->at - run->scheduled_for;
  }
  alert.consecutive_failures = decision.next.consecutive_failures;
  if (alert.event == core::AlertEvent::kSilent) alert.silent_for = rule.silent_for;
  for (std::size_t i = 0; i < rule.channels.size(); ++i) {
    alert.channel_index = static_cast<int>(i);
    alert.channel = rule.channels[i];
    write.alerts.push_back(alert);
  }
  write.raised = RaisedAlert{alert.event, subject.job_id, subject.job_name, alert.run_id, rule.channels.size()};
  return write;
}

}  // namespace

core::Result<AlertWrite> DecideRunEnded(const AlertSubject& subject, const AlertRunFacts& run) {
  auto rule = RuleOf(subject);
  if (!rule) return rule.error();
  return Rows(*rule, subject, core::OnRunEnded(*rule, subject.state, run.state, run.at), &run, run.at);
}

core::Result<AlertWrite> DecideRunLate(const AlertSubject& subject, const AlertRunFacts& run) {
  auto rule = RuleOf(subject);
  if (!rule) return rule.error();
  return Rows(*rule, subject, core::OnRunNotStarted(*rule, subject.state, run.scheduled_for, run.at), &run, run.at);
}

core::Result<AlertWrite> DecideSilence(const AlertSubject& subject, core::TimePoint now) {
  auto rule = RuleOf(subject);
  if (!rule) return rule.error();
  return Rows(*rule, subject, core::OnSilenceCheck(*rule, subject.state, subject.watched_since, now), nullptr, now);
}

core::Result<AlertWrite> WatchFrom(const AlertSubject& subject, core::TimePoint now) {
  auto rule = RuleOf(subject);
  if (!rule) return rule.error();
  AlertSubject watched = subject;
  watched.watched_since = now;
  return Rows(*rule, watched, core::AlertDecision{std::nullopt, false, subject.state}, nullptr, now);
}

core::Result<std::size_t> RunAlertChecks(AlertCheckRows& rows, core::TimePoint now, std::size_t limit,
                                         std::vector<RaisedAlert>& raised) {
  const std::size_t before = raised.size();
  auto late = rows.LateRuns(now, limit);
  if (!late) return late.error();
  // A job with several late runs decides each from the state the one before left.
  std::map<core::JobId, core::AlertState> latest;
  for (auto& [subject, run] : *late) {
    if (const auto found = latest.find(subject.job_id); found != latest.end()) subject.state = found->second;
    auto write = DecideRunLate(subject, run);
    if (!write) return write.error();
    if (write->alerts.empty()) continue;  // not late yet, or quieted: looked at again next time
    if (auto written = rows.Write(*write, raised); !written) return written.error();
    latest[subject.job_id] = write->state;
  }
  auto silent = rows.SilentJobs(now, limit);
  if (!silent) return silent.error();
  for (const AlertSubject& subject : *silent) {
    if (subject.rule_json.empty()) {
      if (auto unwatched = rows.Unwatch(subject.job_id); !unwatched) return unwatched.error();
      continue;
    }
    AlertSubject current = subject;
    if (const auto found = latest.find(subject.job_id); found != latest.end()) current.state = found->second;
    auto write = DecideSilence(current, now);
    if (!write) return write.error();
    if (auto written = rows.Write(*write, raised); !written) return written.error();
  }
  auto unwatched = rows.UnwatchedJobs(limit);
  if (!unwatched) return unwatched.error();
  for (const AlertSubject& subject : *unwatched) {
    auto write = WatchFrom(subject, now);
    if (!write) return write.error();
    if (auto written = rows.Write(*write, raised); !written) return written.error();
  }
  return raised.size() - before;
}

}  // namespace jobsched::store
