#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "core/task.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// What a job's owners are told about (issue #18; docs/decisions/0011-alerts.md).
enum class AlertEvent {
  kFailed,     // runs ended failed or timed_out (after their last retry) `after_failures` times in a row
  kRecovered,  // the first success after a kFailed alert
  kLate,       // a run has not started `late_after` past its scheduled time
  kSilent,     // no successful run for `silent_for` (a dead man's switch)
  kSkipped,    // an occurrence was not run (misfire or overlap policy)
};

std::string_view ToString(AlertEvent event);
std::optional<AlertEvent> ParseAlertEvent(std::string_view text);

// An email to these recipients through the operator's SMTP server; subject
// and body are made per alert. Sent by the email task's runner.
struct EmailChannel {
  std::vector<std::string> to;
  std::vector<std::string> cc;
  friend bool operator==(const EmailChannel&, const EmailChannel&) = default;
};

// The body a webhook channel posts: jobsched's own JSON, or the incoming-
// webhook payload of a chat tool.
enum class WebhookFormat { kJson, kSlack, kTeams };

std::string_view ToString(WebhookFormat format);
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view text);

// A POST to `url`, with the HTTP task's guards (the SSRF check, secret
// headers shown as REDACTED, HMAC signing). Sent by the HTTP task's runner.
struct WebhookChannel {
  std::string url;
  WebhookFormat format = WebhookFormat::kJson;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> secret_headers;
  std::optional<std::string> signing_secret;
  friend bool operator==(const WebhookChannel&, const WebhookChannel&) = default;
};

using AlertChannel = std::variant<EmailChannel, WebhookChannel>;

// The alert rule of a job, or the default of a namespace for its jobs that
// have none.
struct AlertRule {
  std::vector<AlertEvent> on;              // each at most once; empty: the rule is off
  int after_failures = 1;                  // kFailed: the length of the failure streak that alerts
  std::optional<Milliseconds> late_after;  // kLate: required with it
  std::optional<Milliseconds> silent_for;  // kSilent: required with it
  // After an alert of this job is raised, its kFailed, kLate, kSilent and
  // kSkipped alerts are held back for this long, so that a flapping job does
  // not flood anyone. kRecovered is never held back: it answers an alert
  // that was raised.
  Milliseconds quiet_period{0};
  std::vector<AlertChannel> channels;  // where each alert goes; at least one when `on` is not empty

  bool Watches(AlertEvent event) const;
  friend bool operator==(const AlertRule&, const AlertRule&) = default;
};

// The task that delivers one alert through `channel`, run by the runner of
// its kind as a job's task is: an EmailTask with this subject and body, or a
// POST of `body` (JSON, made for the channel's format) with the channel's
// headers, secrets and signing.
Task ChannelTask(const AlertChannel& channel, std::string subject, std::string body);

// As KeepRedactedSecrets for a task, for each webhook channel of `incoming`:
// a secret header or signing secret sent as kRedacted (a client writing back
// the rule it read) takes the value of the channel at the same index of
// `stored`, when that is a webhook to the same origin. Fails with
// kInvalidArgument naming the field ("alerts.channels[0].signing_secret")
// when there is none to keep.
Result<void> KeepRedactedAlertSecrets(AlertRule& incoming, const std::optional<AlertRule>& stored);

constexpr int kMaxAlertFailureThreshold = 1000;
constexpr std::size_t kMaxAlertChannels = 10;

// Checks an alert rule, failing with kInvalidArgument naming the field under
// `field` ("alerts" for a job's rule): events named once, after_failures 1 to
// 1,000, late_after and silent_for present (1 s to 30 days) exactly when
// their event is watched, quiet_period 0 to 7 days, 1 to 10 channels when
// any event is watched, each with at least one recipient (addresses
// local@domain) or an http(s) URL. Header and secret rules are the HTTP
// task's, checked where the channel becomes a task.
Result<void> ValidateAlertRule(const AlertRule& rule, std::string_view field = "alerts");

}  // namespace jobsched::core
