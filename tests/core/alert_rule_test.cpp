// Alert rules (issue #18): what a valid rule is, and the task each channel
// becomes so that the existing runners deliver it.
#include "core/alert_rule.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

using namespace std::chrono_literals;

AlertRule Valid() {
  AlertRule rule;
  rule.on = {AlertEvent::kFailed, AlertEvent::kRecovered, AlertEvent::kLate};
  rule.after_failures = 3;
  rule.late_after = Milliseconds{5min};
  rule.channels = {EmailChannel{{"ops@example.com"}, {}},
                   WebhookChannel{"https://hooks.example.com/x", WebhookFormat::kSlack, {}, {}, std::nullopt}};
  return rule;
}

std::string FieldOf(const AlertRule& rule) {
  auto checked = ValidateAlertRule(rule);
  EXPECT_FALSE(checked.ok());
  return checked.ok() ? "" : checked.error().field;
}

TEST(AlertRule, EventsAndFormatsRoundTripThroughTheirNames) {
  for (const auto event :
       {AlertEvent::kFailed, AlertEvent::kRecovered, AlertEvent::kLate, AlertEvent::kSilent, AlertEvent::kSkipped}) {
    EXPECT_EQ(ParseAlertEvent(ToString(event)), event);
  }
  for (const auto format : {WebhookFormat::kJson, WebhookFormat::kSlack, WebhookFormat::kTeams}) {
    EXPECT_EQ(ParseWebhookFormat(ToString(format)), format);
  }
  EXPECT_EQ(ParseAlertEvent("FAILED"), std::nullopt);
  EXPECT_EQ(ParseWebhookFormat("discord"), std::nullopt);
}

TEST(AlertRule, AcceptsAValidRuleAndAnEmptyOne) {
  EXPECT_TRUE(ValidateAlertRule(Valid()).ok());
  EXPECT_TRUE(ValidateAlertRule(AlertRule{}).ok());
}

TEST(AlertRule, RefusesEachBadFieldNamingIt) {
  AlertRule twice = Valid();
  twice.on.push_back(AlertEvent::kFailed);
  AlertRule threshold = Valid();
  threshold.after_failures = 0;
  AlertRule no_late_after = Valid();
  no_late_after.late_after.reset();
  AlertRule stray_silent_for = Valid();
  stray_silent_for.silent_for = Milliseconds{1h};
  AlertRule short_window = Valid();
  short_window.late_after = Milliseconds{999ms};
  AlertRule long_quiet = Valid();
  long_quiet.quiet_period = Milliseconds{24h * 8};
  AlertRule nowhere = Valid();
  nowhere.channels.clear();

  EXPECT_EQ(FieldOf(twice), "alerts.on");
  EXPECT_EQ(FieldOf(threshold), "alerts.after_failures");
  EXPECT_EQ(FieldOf(no_late_after), "alerts.late_after");
  EXPECT_EQ(FieldOf(stray_silent_for), "alerts.silent_for");
  EXPECT_EQ(FieldOf(short_window), "alerts.late_after");
  EXPECT_EQ(FieldOf(long_quiet), "alerts.quiet_period");
  EXPECT_EQ(FieldOf(nowhere), "alerts.channels");
}

TEST(AlertRule, AChannelIsCheckedByTheRulesOfItsTaskAndNamedAsAChannel) {
  AlertRule bad_address = Valid();
  bad_address.channels[0] = EmailChannel{{"not an address"}, {}};
  AlertRule bad_url = Valid();
  bad_url.channels[1] = WebhookChannel{"ftp://example.com/", WebhookFormat::kJson, {}, {}, std::nullopt};

  const auto address = ValidateAlertRule(bad_address);
  const auto url = ValidateAlertRule(bad_url);

  ASSERT_FALSE(address.ok());
  EXPECT_EQ(address.error().field, "alerts.channels[0].to[0]");
  EXPECT_TRUE(address.error().message.starts_with("alerts.channels[0].to[0]: ")) << address.error().message;
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().field, "alerts.channels[1].url");
}

TEST(AlertRule, AWebhookChannelBecomesASignedJsonPostWithItsSecrets) {
  const WebhookChannel channel{"https://hooks.example.com/x",
                               WebhookFormat::kTeams,
                               {{"Authorization", "Bearer t"}},
                               {"Authorization"},
                               "0123456789abcdef"};

  const Task task = ChannelTask(channel, "ignored for webhooks", R"({"text":"hi"})");

  const auto* http = std::get_if<HttpTask>(&task);
  ASSERT_NE(http, nullptr);
  EXPECT_EQ(http->method, "POST");
  EXPECT_EQ(http->url, "https://hooks.example.com/x");
  EXPECT_EQ(http->body, R"({"text":"hi"})");
  const std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer t"},
                                                                 {"Content-Type", "application/json"}};
  EXPECT_EQ(http->headers, headers);
  EXPECT_EQ(http->secret_headers, std::vector<std::string>{"Authorization"});
  EXPECT_EQ(http->signing_secret, "0123456789abcdef");
}

TEST(AlertRule, AnEmailChannelBecomesAnEmailWithTheAlertsSubjectAndBody) {
  const Task task = ChannelTask(EmailChannel{{"a@example.com"}, {"b@example.com"}}, "[jobsched] failed", "text");

  const auto* email = std::get_if<EmailTask>(&task);
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->to, std::vector<std::string>{"a@example.com"});
  EXPECT_EQ(email->cc, std::vector<std::string>{"b@example.com"});
  EXPECT_EQ(email->subject, "[jobsched] failed");
  EXPECT_EQ(email->body, "text");
}

AlertRule WithSecrets(std::string url, std::string token, std::optional<std::string> signing) {
  AlertRule rule;
  rule.on = {AlertEvent::kFailed};
  rule.channels = {
      EmailChannel{{"ops@example.com"}, {}},
      WebhookChannel{
          std::move(url), WebhookFormat::kJson, {{"Authorization", std::move(token)}}, {}, std::move(signing)}};
  return rule;
}

TEST(AlertRule, RedactedSecretsWrittenBackKeepTheStoredOnes) {
  const AlertRule stored = WithSecrets("https://hooks.example.com/a", "Bearer t", "0123456789abcdef");
  AlertRule incoming = WithSecrets("https://hooks.example.com/b", "REDACTED", "REDACTED");

  ASSERT_TRUE(KeepRedactedAlertSecrets(incoming, stored).ok());

  EXPECT_EQ(incoming, WithSecrets("https://hooks.example.com/b", "Bearer t", "0123456789abcdef"));
}

TEST(AlertRule, ARedactedSecretWithNothingToKeepIsRefusedNamingTheChannel) {
  AlertRule fresh = WithSecrets("https://hooks.example.com/a", "REDACTED", std::nullopt);
  AlertRule elsewhere = WithSecrets("https://other.example.com/a", "Bearer x", "REDACTED");
  const AlertRule stored = WithSecrets("https://hooks.example.com/a", "Bearer t", "0123456789abcdef");

  auto unknown = KeepRedactedAlertSecrets(fresh, std::nullopt);
  auto moved = KeepRedactedAlertSecrets(elsewhere, stored);

  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "alerts.channels[1].headers.Authorization");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().field, "alerts.channels[1].signing_secret");
}

}  // namespace
}  // namespace jobsched::core
