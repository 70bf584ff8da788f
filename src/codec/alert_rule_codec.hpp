#pragma once

#include <string>
#include <string_view>

#include "core/alert_rule.hpp"
#include "core/result.hpp"

namespace jobsched::codec {

// An alert rule's JSON form, in the API and in the database (issue #18;
// docs/decisions/0011-alerts.md):
//   {"on": ["failed", "recovered", "late", "silent", "skipped"], "after_failures": 3,
//    "late_after": "5m", "silent_for": "2h", "quiet_period": "30m",
//    "channels": [{"type": "email", "to": ["ops@example.com"], "cc": []},
//                 {"type": "webhook", "url": "https://...", "format": "json" | "slack" | "teams",
//                  "headers": {"X-A": "b"}, "secret_headers": ["X-A"], "signing_secret": "..."}]}
// Members left out keep their defaults (no events, after_failures 1, no
// quiet period); unknown members are refused. A channel is read by the task
// codec as the task it becomes, so it takes exactly what that task takes
// for its recipients or its endpoint. Decoding validates
// (core::ValidateAlertRule); errors name the field under "alerts"
// ("alerts.channels[1].url").
core::Result<core::AlertRule> DecodeAlertRule(std::string_view text);

// The canonical JSON of a rule, secrets included: for the store only.
// DecodeAlertRule(EncodeAlertRule(r)) == r.
std::string EncodeAlertRule(const core::AlertRule& rule);

// As the API shows it: secret header values and signing secrets are
// core::kRedacted.
std::string EncodeAlertRuleForApi(const core::AlertRule& rule);

// One channel's JSON, as in a rule: with its secrets for the store (an
// alert keeps the channel it was raised for), or as the API shows it.
// DecodeAlertChannel(EncodeAlertChannel(c)) == c; errors name "channel".
std::string EncodeAlertChannel(const core::AlertChannel& channel);
std::string EncodeAlertChannelForApi(const core::AlertChannel& channel);
core::Result<core::AlertChannel> DecodeAlertChannel(std::string_view text);

}  // namespace jobsched::codec
