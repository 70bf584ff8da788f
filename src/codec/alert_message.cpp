#include "codec/alert_message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/duration.hpp"

namespace jobsched::codec {
namespace {

namespace json = boost::json;

// "nightly-backup" (namespace "default" is left out, as the console does).
std::string JobLabel(const AlertFacts& facts) {
  const std::string name = "'" + facts.job_name + "'";
  return facts.job_namespace == "default" ? name : name + " in " + facts.job_namespace;
}

std::string Headline(const AlertFacts& facts) {
  std::string job = "Job " + JobLabel(facts);
  switch (facts.event) {
    case core::AlertEvent::kFailed:
      return facts.consecutive_failures > 1
                 ? job + " failed " + std::to_string(facts.consecutive_failures) + " times in a row"
                 : job + " failed";
    case core::AlertEvent::kRecovered: return job + " succeeded again";
    case core::AlertEvent::kLate:
      return job + " has not started" +
             (facts.lateness ? ", " + core::FormatDuration(*facts.lateness) + " after its scheduled time" : "");
    case core::AlertEvent::kSilent:
      return job + " has not succeeded" + (facts.silent_for ? " for " + core::FormatDuration(*facts.silent_for) : "");
    case core::AlertEvent::kSkipped: return job + " skipped an occurrence";
  }
  return job;
}

std::string Details(const AlertFacts& facts) {
  std::string out;
  if (facts.run_id) {
    out += "Run " + std::to_string(*facts.run_id);
    if (facts.run_state) out += ": " + std::string(core::ToString(*facts.run_state));
    if (facts.scheduled_for) out += ", scheduled for " + core::FormatRfc3339(*facts.scheduled_for);
    out += "\n";
  }
  if (!facts.error.empty()) out += "Error: " + facts.error + "\n";
  out += "Raised at " + core::FormatRfc3339(facts.raised_at) + " (alert " + std::to_string(facts.alert_id) + ")\n";
  if (!facts.link.empty()) out += facts.link + "\n";
  return out;
}

// Slack's markup gives &, < and > a meaning; everything else is text.
std::string SlackEscaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

json::value RunObject(const AlertFacts& facts) {
  if (!facts.run_id) return nullptr;
  json::object run{{"id", *facts.run_id}};
  run["state"] = facts.run_state ? json::value(core::ToString(*facts.run_state)) : json::value(nullptr);
  run["scheduled_for"] =
      facts.scheduled_for ? json::value(core::FormatRfc3339(*facts.scheduled_for)) : json::value(nullptr);
  return run;
}

json::object JsonPayload(const AlertFacts& facts, const std::string& summary) {
  json::object out{
      {"alert_id", facts.alert_id},
      {"event", core::ToString(facts.event)},
      {"raised_at", core::FormatRfc3339(facts.raised_at)},
      {"job", json::object{{"id", facts.job_id}, {"name", facts.job_name}, {"namespace", facts.job_namespace}}},
      {"run", RunObject(facts)}};
  out["error"] = facts.error.empty() ? json::value(nullptr) : json::value(facts.error);
  out["lateness_ms"] = facts.lateness ? json::value(facts.lateness->count()) : json::value(nullptr);
  out["consecutive_failures"] = facts.consecutive_failures;
  out["summary"] = summary;
  out["link"] = facts.link.empty() ? json::value(nullptr) : json::value(facts.link);
  return out;
}

json::object SlackPayload(const AlertFacts& facts, const AlertText& text) {
  std::string markup = "*" + SlackEscaped(text.subject) + "*\n" + SlackEscaped(text.body);
  json::object section{{"type", "section"}, {"text", json::object{{"type", "mrkdwn"}, {"text", markup}}}};
  json::array blocks{section};
  if (!facts.link.empty()) {
    json::object button{{"type", "button"},
                        {"text", json::object{{"type", "plain_text"}, {"text", "Open in jobsched"}}},
                        {"url", facts.link}};
    blocks.emplace_back(json::object{{"type", "actions"}, {"elements", json::array{button}}});
  }
  return json::object{{"text", text.subject}, {"blocks", std::move(blocks)}};
}

json::object TeamsPayload(const AlertFacts& facts, const AlertText& text) {
  json::array body{json::object{{"type", "TextBlock"}, {"text", text.subject}, {"weight", "Bolder"}, {"wrap", true}},
                   json::object{{"type", "TextBlock"}, {"text", text.body}, {"wrap", true}}};
  json::object card{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                    {"type", "AdaptiveCard"},
                    {"version", "1.4"},
                    {"body", std::move(body)}};
  if (!facts.link.empty()) {
    card["actions"] =
        json::array{json::object{{"type", "Action.OpenUrl"}, {"title", "Open in jobsched"}, {"url", facts.link}}};
  }
  json::object attachment{{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", std::move(card)}};
  return json::object{{"type", "message"}, {"attachments", json::array{std::move(attachment)}}};
}

}  // namespace

AlertText DescribeAlert(const AlertFacts& facts) {
  const std::string headline = Headline(facts);
  return AlertText{"[jobsched] " + headline, headline + "\n\n" + Details(facts)};
}

std::string AlertPayload(const AlertFacts& facts, core::WebhookFormat format) {
  const AlertText text = DescribeAlert(facts);
  switch (format) {
    case core::WebhookFormat::kSlack: return json::serialize(SlackPayload(facts, text));
    case core::WebhookFormat::kTeams: return json::serialize(TeamsPayload(facts, text));
    case core::WebhookFormat::kJson: break;
  }
  return json::serialize(JsonPayload(facts, text.subject));
}

}  // namespace jobsched::codec
