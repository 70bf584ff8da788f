#include "core/alert_rule.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "core/enum_names.hpp"

namespace jobsched::core {
namespace {

constexpr EnumNames<AlertEvent, 5> kEvents{{{AlertEvent::kFailed, "failed"},
                                            {AlertEvent::kRecovered, "recovered"},
                                            {AlertEvent::kLate, "late"},
                                            {AlertEvent::kSilent, "silent"},
                                            {AlertEvent::kSkipped, "skipped"}}};

constexpr EnumNames<WebhookFormat, 3> kFormats{
    {{WebhookFormat::kJson, "json"}, {WebhookFormat::kSlack, "slack"}, {WebhookFormat::kTeams, "teams"}}};

constexpr Milliseconds kSecond{1000};
constexpr Milliseconds kDay{24LL * 3600 * 1000};

Result<void> CheckWindow(const std::optional<Milliseconds>& window, bool watched, const std::string& field,
                         std::string_view event) {
  if (watched && !window) {
    return Error::InvalidArgument(field, field + ": required when the rule watches '" + std::string(event) + "'");
  }
  if (!watched && window) {
    return Error::InvalidArgument(field, field + ": only with '" + std::string(event) + "' in the events watched");
  }
  if (window && (*window < kSecond || *window > 30 * kDay)) {
    return Error::InvalidArgument(field, field + ": must be from 1s to 30d");
  }
  return Ok();
}

// A task's error, naming the channel instead of the task ("alerts.channels[0].url").
Error AsChannelError(Error error, const std::string& field) {
  constexpr std::string_view kTaskPrefix = "task.";
  const auto rename = [&](std::string& text) {
    if (text.starts_with(kTaskPrefix)) text = field + "." + text.substr(kTaskPrefix.size());
  };
  rename(error.field);
  rename(error.message);
  return error;
}

// The channel's own rules are those of the task it becomes.
Result<void> CheckChannel(const AlertChannel& channel, const std::string& field) {
  auto checked = ValidateTask(ChannelTask(channel, "jobsched alert", "{}"));
  if (checked) return Ok();
  return AsChannelError(checked.error(), field);
}

Result<void> CheckEvents(const std::vector<AlertEvent>& on, const std::string& field) {
  std::set<AlertEvent> seen;
  for (const AlertEvent event : on) {
    if (!seen.insert(event).second) {
      return Error::InvalidArgument(field + ".on",
                                    field + ".on: '" + std::string(ToString(event)) + "' is named more than once");
    }
  }
  return Ok();
}

}  // namespace

std::string_view ToString(AlertEvent event) { return NameOf(kEvents, event); }
std::optional<AlertEvent> ParseAlertEvent(std::string_view text) { return ValueOf(kEvents, text); }
std::string_view ToString(WebhookFormat format) { return NameOf(kFormats, format); }
std::optional<WebhookFormat> ParseWebhookFormat(std::string_view text) { return ValueOf(kFormats, text); }

bool AlertRule::Watches(AlertEvent event) const { return std::find(on.begin(), on.end(), event) != on.end(); }

Task ChannelTask(const AlertChannel& channel, std::string subject, std::string body) {
  if (const auto* email = std::get_if<EmailChannel>(&channel)) {
    return EmailTask{
        .to = email->to, .cc = email->cc, .subject = std::move(subject), .body = std::move(body), .from = std::nullopt};
  }
  const auto& webhook = std::get<WebhookChannel>(channel);
  HttpTask http;
  http.method = "POST";
  http.url = webhook.url;
  http.headers = webhook.headers;
  http.headers.emplace_back("Content-Type", "application/json");
  http.body = std::move(body);
  http.secret_headers = webhook.secret_headers;
  http.signing_secret = webhook.signing_secret;
  return http;
}

Result<void> KeepRedactedAlertSecrets(AlertRule& incoming, const std::optional<AlertRule>& stored) {
  for (std::size_t i = 0; i < incoming.channels.size(); ++i) {
    auto* webhook = std::get_if<WebhookChannel>(&incoming.channels[i]);
    if (webhook == nullptr) continue;
    std::optional<Task> old;
    if (stored && i < stored->channels.size() && std::holds_alternative<WebhookChannel>(stored->channels[i])) {
      old = ChannelTask(stored->channels[i], "", "");
    }
    // The task's own rule decides which values are secrets and whether the
    // stored one may be kept (the same origin).
    Task task = ChannelTask(incoming.channels[i], "", "");
    if (auto kept = KeepRedactedSecrets(task, old); !kept) {
      return AsChannelError(kept.error(), "alerts.channels[" + std::to_string(i) + "]");
    }
    const auto& http = std::get<HttpTask>(task);
    for (auto& [name, value] : webhook->headers) {
      for (const auto& [kept_name, kept_value] : http.headers) {
        if (kept_name == name) {
          value = kept_value;
          break;
        }
      }
    }
    webhook->signing_secret = http.signing_secret;
  }
  return Ok();
}

Result<void> ValidateAlertRule(const AlertRule& rule, std::string_view field) {
  const std::string name(field);
  if (auto events = CheckEvents(rule.on, name); !events) return events;
  if (rule.after_failures < 1 || rule.after_failures > kMaxAlertFailureThreshold) {
    return Error::InvalidArgument(name + ".after_failures", name + ".after_failures: must be from 1 to 1000");
  }
  if (auto late = CheckWindow(rule.late_after, rule.Watches(AlertEvent::kLate), name + ".late_after", "late"); !late) {
    return late;
  }
  if (auto silent = CheckWindow(rule.silent_for, rule.Watches(AlertEvent::kSilent), name + ".silent_for", "silent");
      !silent) {
    return silent;
  }
  if (rule.quiet_period < Milliseconds{0} || rule.quiet_period > 7 * kDay) {
    return Error::InvalidArgument(name + ".quiet_period", name + ".quiet_period: must be from 0s to 7d");
  }
  if (!rule.on.empty() && rule.channels.empty()) {
    return Error::InvalidArgument(name + ".channels", name + ".channels: needs at least one channel to send to");
  }
  if (rule.channels.size() > kMaxAlertChannels) {
    return Error::InvalidArgument(name + ".channels", name + ".channels: at most 10 channels");
  }
  for (std::size_t i = 0; i < rule.channels.size(); ++i) {
    if (auto channel = CheckChannel(rule.channels[i], name + ".channels[" + std::to_string(i) + "]"); !channel) {
      return channel;
    }
  }
  return Ok();
}

}  // namespace jobsched::core
