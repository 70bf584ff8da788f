#include "codec/alert_rule_codec.hpp"

#include <algorithm>
#include <array>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "codec/task_codec.hpp"
#include "core/duration.hpp"

namespace jobsched::codec {
namespace {

namespace json = boost::json;
using core::Error;

constexpr std::string_view kField = "alerts";

std::string_view View(const json::string& text) { return {text.data(), text.size()}; }

Error WrongType(const std::string& field, std::string_view expected) {
  return Error::InvalidArgument(field, field + ": must be " + std::string(expected));
}

core::Result<core::Milliseconds> DurationMember(const json::value& value, const std::string& field) {
  if (!value.is_string()) return WrongType(field, "a duration such as \"5m\"");
  // Durations are positive; "no quiet period" is spelled as a zero.
  if (value.as_string() == "0" || value.as_string() == "0s") return core::Milliseconds{0};
  return core::ParseDuration(View(value.as_string()), field);
}

core::Result<std::vector<core::AlertEvent>> EventsMember(const json::value& value, const std::string& field) {
  if (!value.is_array()) return WrongType(field, "a list of events (failed, recovered, late, silent, skipped)");
  std::vector<core::AlertEvent> events;
  for (std::size_t i = 0; i < value.as_array().size(); ++i) {
    const json::value& item = value.as_array()[i];
    const std::string item_field = field + "[" + std::to_string(i) + "]";
    const auto event = item.is_string() ? core::ParseAlertEvent(View(item.as_string())) : std::nullopt;
    if (!event) return WrongType(item_field, "one of failed, recovered, late, silent, skipped");
    events.push_back(*event);
  }
  return events;
}

// The task codec's errors name "task.<member>"; here the member is the channel's.
Error AsChannelError(Error error, const std::string& field) {
  constexpr std::string_view kTaskPrefix = "task.";
  for (std::string* text : {&error.field, &error.message}) {
    if (text->starts_with(kTaskPrefix)) *text = field + "." + text->substr(kTaskPrefix.size());
  }
  return error;
}

// Reads a channel as the task it becomes: what that task takes for its
// recipients (email) or its endpoint (webhook), and nothing else.
core::Result<core::AlertChannel> DecodeChannel(const json::value& value, const std::string& field) {
  if (!value.is_object()) return WrongType(field, "an object with a type: email or webhook");
  const json::object& object = value.as_object();
  const json::value* type = object.if_contains("type");
  const std::string_view name = type != nullptr && type->is_string() ? View(type->as_string()) : "";
  const bool email = name == "email";
  if (!email && name != "webhook") return WrongType(field + ".type", "email or webhook");
  static constexpr std::array<std::string_view, 3> kEmailMembers{"type", "to", "cc"};
  static constexpr std::array<std::string_view, 6> kWebhookMembers{
      "type", "url", "format", "headers", "secret_headers", "signing_secret"};
  json::object task{{"type", email ? "email" : "http"}};
  core::WebhookFormat format = core::WebhookFormat::kJson;
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    const std::string member_field = field + "." + std::string(key.substr(0, 64));
    const auto known = [key](const auto& names) { return std::find(names.begin(), names.end(), key) != names.end(); };
    if (email ? !known(kEmailMembers) : !known(kWebhookMembers)) {
      return Error::InvalidArgument(member_field,
                                    member_field + ": unknown field for " + std::string(name) + " channels");
    }
    if (key == "type") continue;
    if (key == "format") {
      const auto parsed =
          member.value().is_string() ? core::ParseWebhookFormat(View(member.value().as_string())) : std::nullopt;
      if (!parsed) return WrongType(member_field, "json, slack or teams");
      format = *parsed;
    } else {
      task[key] = member.value();
    }
  }
  if (email) task["subject"] = "jobsched alert";
  auto decoded = DecodeTask(json::serialize(task));
  if (!decoded) return AsChannelError(decoded.error(), field);
  if (auto* as_email = std::get_if<core::EmailTask>(&*decoded)) {
    return core::AlertChannel{core::EmailChannel{std::move(as_email->to), std::move(as_email->cc)}};
  }
  auto& http = std::get<core::HttpTask>(*decoded);
  return core::AlertChannel{core::WebhookChannel{std::move(http.url), format, std::move(http.headers),
                                                 std::move(http.secret_headers), std::move(http.signing_secret)}};
}

core::Result<std::vector<core::AlertChannel>> ChannelsMember(const json::value& value, const std::string& field) {
  if (!value.is_array()) return WrongType(field, "a list of channels");
  std::vector<core::AlertChannel> channels;
  for (std::size_t i = 0; i < value.as_array().size() && i <= core::kMaxAlertChannels; ++i) {
    auto channel = DecodeChannel(value.as_array()[i], field + "[" + std::to_string(i) + "]");
    if (!channel) return channel.error();
    channels.push_back(std::move(channel).value());
  }
  return channels;
}

core::Result<void> DecodeMember(std::string_view key, const json::value& value, core::AlertRule& rule) {
  const std::string field = std::string(kField) + "." + std::string(key.substr(0, 64));
  if (key == "on") {
    auto events = EventsMember(value, field);
    if (!events) return events.error();
    rule.on = std::move(events).value();
  } else if (key == "after_failures") {
    if (!value.is_int64()) return WrongType(field, "an integer");
    rule.after_failures = static_cast<int>(std::clamp<std::int64_t>(value.as_int64(), -1, 1'000'000));
  } else if (key == "late_after" || key == "silent_for" || key == "quiet_period") {
    auto duration = DurationMember(value, field);
    if (!duration) return duration.error();
    if (key == "late_after") rule.late_after = *duration;
    if (key == "silent_for") rule.silent_for = *duration;
    if (key == "quiet_period") rule.quiet_period = *duration;
  } else if (key == "channels") {
    auto channels = ChannelsMember(value, field);
    if (!channels) return channels.error();
    rule.channels = std::move(channels).value();
  } else {
    return Error::InvalidArgument(field, field +
                                             ": unknown field; an alert rule has on, after_failures, late_after, "
                                             "silent_for, quiet_period and channels");
  }
  return core::Ok();
}

json::object EncodeChannel(const core::AlertChannel& channel, bool redact) {
  if (const auto* email = std::get_if<core::EmailChannel>(&channel)) {
    return json::object{{"type", "email"},
                        {"to", json::array(email->to.begin(), email->to.end())},
                        {"cc", json::array(email->cc.begin(), email->cc.end())}};
  }
  const auto& webhook = std::get<core::WebhookChannel>(channel);
  // The task's rules say which headers are secrets (Authorization always).
  const core::Task task = core::ChannelTask(channel, "", "");
  const auto& http = std::get<core::HttpTask>(task);
  json::object headers;
  for (const auto& [name, value] : webhook.headers) {
    headers[name] = redact && core::IsSecretHeader(http, name) ? core::kRedacted : std::string_view(value);
  }
  json::object out{{"type", "webhook"}, {"url", webhook.url}, {"format", core::ToString(webhook.format)}};
  out["headers"] = std::move(headers);
  if (!webhook.secret_headers.empty()) {
    out["secret_headers"] = json::array(webhook.secret_headers.begin(), webhook.secret_headers.end());
  }
  if (webhook.signing_secret) {
    out["signing_secret"] = redact ? core::kRedacted : std::string_view(*webhook.signing_secret);
  }
  return out;
}

std::string Encode(const core::AlertRule& rule, bool redact) {
  json::array on;
  for (const core::AlertEvent event : rule.on) on.emplace_back(core::ToString(event));
  json::object out{{"on", std::move(on)}, {"after_failures", rule.after_failures}};
  if (rule.late_after) out["late_after"] = core::FormatDuration(*rule.late_after);
  if (rule.silent_for) out["silent_for"] = core::FormatDuration(*rule.silent_for);
  out["quiet_period"] = rule.quiet_period.count() == 0 ? std::string("0s") : core::FormatDuration(rule.quiet_period);
  json::array channels;
  for (const core::AlertChannel& channel : rule.channels) channels.emplace_back(EncodeChannel(channel, redact));
  out["channels"] = std::move(channels);
  return json::serialize(out);
}

}  // namespace

core::Result<core::AlertRule> DecodeAlertRule(std::string_view text) {
  json::error_code error;
  const json::value document = json::parse(json::string_view(text.data(), text.size()), error);
  if (error || !document.is_object()) return WrongType(std::string(kField), "an object such as {\"on\": [\"failed\"]}");
  core::AlertRule rule;
  for (const auto& member : document.as_object()) {
    auto decoded = DecodeMember(std::string_view(member.key().data(), member.key().size()), member.value(), rule);
    if (!decoded) return decoded.error();
  }
  if (auto valid = core::ValidateAlertRule(rule, kField); !valid) return valid.error();
  return rule;
}

std::string EncodeAlertRule(const core::AlertRule& rule) { return Encode(rule, false); }

std::string EncodeAlertRuleForApi(const core::AlertRule& rule) { return Encode(rule, true); }

std::string EncodeAlertChannel(const core::AlertChannel& channel) {
  return json::serialize(EncodeChannel(channel, false));
}

std::string EncodeAlertChannelForApi(const core::AlertChannel& channel) {
  return json::serialize(EncodeChannel(channel, true));
}

core::Result<core::AlertChannel> DecodeAlertChannel(std::string_view text) {
  json::error_code error;
  const json::value document = json::parse(json::string_view(text.data(), text.size()), error);
  if (error) return WrongType("channel", "a channel object");
  return DecodeChannel(document, "channel");
}

}  // namespace jobsched::codec
