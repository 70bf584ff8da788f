#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/alert_rule.hpp"
#include "core/job.hpp"
#include "core/run.hpp"
#include "core/time.hpp"

namespace jobsched::codec {

// What an alert says (issue #18): the job, the run, its state, error and
// lateness, and where to look.
struct AlertFacts {
  std::int64_t alert_id = 0;  // sent along so that a receiver can de-duplicate
  core::AlertEvent event = core::AlertEvent::kFailed;
  core::TimePoint raised_at;
  core::JobId job_id = 0;
  std::string job_name;
  std::string job_namespace;
  std::optional<core::RunId> run_id;
  std::optional<core::RunState> run_state;
  std::optional<core::TimePoint> scheduled_for;
  std::string error;                             // the run's, when it failed
  std::optional<core::Milliseconds> lateness;    // late: how late the run is now
  int consecutive_failures = 0;                  // failed: the streak's length
  std::optional<core::Milliseconds> silent_for;  // silent: the window that passed without a success
  std::string link;                              // the run's (or job's) page in the console; empty: none
};

// A one-line subject and a plain-text body for a person.
struct AlertText {
  std::string subject;
  std::string body;
};

AlertText DescribeAlert(const AlertFacts& facts);

// What a webhook channel posts:
//   json   {"alert_id", "event", "raised_at", "job": {"id", "name", "namespace"},
//           "run": {"id", "state", "scheduled_for"} or null, "error", "lateness_ms",
//           "consecutive_failures", "summary", "link"}
//   slack  an incoming-webhook message: {"text": summary, "blocks": [...]} with
//          the job's name escaped for Slack's markup
//   teams  a message with an Adaptive Card, as Teams' workflow webhooks take it
std::string AlertPayload(const AlertFacts& facts, core::WebhookFormat format);

}  // namespace jobsched::codec
