// The JSON of alert rules (issue #18): what the API takes and shows, and
// what the store keeps.
#include "codec/alert_rule_codec.hpp"

#include <gtest/gtest.h>

namespace jobsched::codec {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kFull = R"({
  "on": ["failed", "recovered", "late", "silent", "skipped"], "after_failures": 3,
  "late_after": "5m", "silent_for": "2h", "quiet_period": "30m",
  "channels": [
    {"type": "email", "to": ["ops@example.com"], "cc": ["lead@example.com"]},
    {"type": "webhook", "url": "https://hooks.example.com/T0/B0", "format": "slack",
     "headers": {"Authorization": "Bearer s3cret", "X-Team": "payments"}, "signing_secret": "0123456789abcdef"}
  ]
})";

std::string FieldOf(std::string_view text) {
  auto decoded = DecodeAlertRule(text);
  EXPECT_FALSE(decoded.ok()) << text;
  return decoded.ok() ? "" : decoded.error().field;
}

TEST(AlertRuleCodec, ReadsEveryMember) {
  auto rule = DecodeAlertRule(kFull);

  ASSERT_TRUE(rule.ok()) << rule.error().message;
  EXPECT_EQ(rule->on.size(), 5u);
  EXPECT_EQ(rule->after_failures, 3);
  EXPECT_EQ(rule->late_after, core::Milliseconds{5min});
  EXPECT_EQ(rule->silent_for, core::Milliseconds{2h});
  EXPECT_EQ(rule->quiet_period, core::Milliseconds{30min});
  ASSERT_EQ(rule->channels.size(), 2u);
  EXPECT_EQ(std::get<core::EmailChannel>(rule->channels[0]),
            (core::EmailChannel{{"ops@example.com"}, {"lead@example.com"}}));
  const auto& webhook = std::get<core::WebhookChannel>(rule->channels[1]);
  EXPECT_EQ(webhook.format, core::WebhookFormat::kSlack);
  EXPECT_EQ(webhook.signing_secret, "0123456789abcdef");
  EXPECT_EQ(webhook.headers.size(), 2u);
}

TEST(AlertRuleCodec, TheStoresFormRoundTripsSecretsIncluded) {
  auto rule = DecodeAlertRule(kFull);
  ASSERT_TRUE(rule.ok());

  auto again = DecodeAlertRule(EncodeAlertRule(*rule));

  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *rule);
}

TEST(AlertRuleCodec, AChannelRoundTripsAloneAndIsShownRedacted) {
  auto rule = DecodeAlertRule(kFull);
  ASSERT_TRUE(rule.ok());

  for (const core::AlertChannel& channel : rule->channels) {
    auto again = DecodeAlertChannel(EncodeAlertChannel(channel));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, channel);
  }
  const std::string shown = EncodeAlertChannelForApi(rule->channels[1]);
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_EQ(DecodeAlertChannel("{\"type\": \"pager\"}").error().field, "channel.type");
}

TEST(AlertRuleCodec, TheApisFormHidesSecretHeadersAndTheSigningSecret) {
  auto rule = DecodeAlertRule(kFull);
  ASSERT_TRUE(rule.ok());

  const std::string shown = EncodeAlertRuleForApi(*rule);

  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("0123456789abcdef"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("Authorization":"REDACTED")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("X-Team":"payments")"), std::string::npos) << shown;
}

TEST(AlertRuleCodec, DefaultsForWhatIsLeftOutAndAZeroQuietPeriod) {
  auto empty = DecodeAlertRule("{}");
  auto zero = DecodeAlertRule(R"({"quiet_period": "0s"})");

  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, core::AlertRule{});
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero->quiet_period, core::Milliseconds{0});
  auto again = DecodeAlertRule(EncodeAlertRule(*empty));
  ASSERT_TRUE(again.ok()) << EncodeAlertRule(*empty);
}

TEST(AlertRuleCodec, RefusesBadInputNamingTheField) {
  EXPECT_EQ(FieldOf("[]"), "alerts");
  EXPECT_EQ(FieldOf(R"({"on": ["failed", "exploded"]})"), "alerts.on[1]");
  EXPECT_EQ(FieldOf(R"({"on": "failed"})"), "alerts.on");
  EXPECT_EQ(FieldOf(R"({"after_failures": "3"})"), "alerts.after_failures");
  EXPECT_EQ(FieldOf(R"({"late_after": 300})"), "alerts.late_after");
  EXPECT_EQ(FieldOf(R"({"on": ["late"], "late_after": "soon"})"), "alerts.late_after");
  EXPECT_EQ(FieldOf(R"({"when": "always"})"), "alerts.when");
  EXPECT_EQ(FieldOf(R"({"on": ["failed"]})"), "alerts.channels");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "pager"}]})"), "alerts.channels[0].type");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "email", "to": ["a@example.com"], "subject": "x"}]})"),
            "alerts.channels[0].subject");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "email", "to": ["nobody"]}]})"), "alerts.channels[0].to[0]");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "webhook", "url": "https://x.example", "format": "irc"}]})"),
            "alerts.channels[0].format");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "webhook", "url": "https://x.example", "method": "GET"}]})"),
            "alerts.channels[0].method");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "webhook", "url": "gopher://x.example"}]})"), "alerts.channels[0].url");
  EXPECT_EQ(FieldOf(R"({"channels": [{"type": "webhook", "url": "https://x.example", "secret_headers": ["X-Gone"]}]})"),
            "alerts.channels[0].secret_headers[0]");
}

TEST(AlertRuleCodec, AnErrorFromTheTaskCodecReadsAsTheChannels) {
  auto decoded = DecodeAlertRule(R"({"channels": [{"type": "email", "to": ["nobody"]}]})");

  ASSERT_FALSE(decoded.ok());
  EXPECT_TRUE(decoded.error().message.starts_with("alerts.channels[0].to[0]: ")) << decoded.error().message;
  EXPECT_EQ(decoded.error().message.find("task."), std::string::npos) << decoded.error().message;
}

}  // namespace
}  // namespace jobsched::codec
