// What an alert says, to a person and to the webhooks of chat tools.
#include "codec/alert_message.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "testing/time_literals.hpp"

namespace jobsched::codec {
namespace {

namespace json = boost::json;
using jobsched::testing::At;
using namespace std::chrono_literals;

AlertFacts Failed() {
  AlertFacts facts;
  facts.alert_id = 17;
  facts.event = core::AlertEvent::kFailed;
  facts.raised_at = At("2026-12-07T10:00:05Z");
  facts.job_id = 4;
  facts.job_name = "nightly-backup";
  facts.job_namespace = "default";
  facts.run_id = 912;
  facts.run_state = core::RunState::kFailed;
  facts.scheduled_for = At("2026-12-07T10:00:00Z");
  facts.error = "HTTP 503 from https://backup.example.com/run";
  facts.consecutive_failures = 3;
  facts.link = "https://jobs.example.com/ui/runs/912";
  return facts;
}

json::value Parsed(const std::string& text) {
  json::error_code error;
  json::value value = json::parse(text, error);
  EXPECT_FALSE(error) << text;
  return value;
}

TEST(AlertMessage, AFailureNamesTheJobTheStreakTheRunItsErrorAndTheLink) {
  const AlertText text = DescribeAlert(Failed());

  EXPECT_EQ(text.subject, "[jobsched] Job 'nightly-backup' failed 3 times in a row");
  EXPECT_NE(text.body.find("Run 912: failed, scheduled for 2026-12-07T10:00:00"), std::string::npos) << text.body;
  EXPECT_NE(text.body.find("Error: HTTP 503 from https://backup.example.com/run"), std::string::npos);
  EXPECT_NE(text.body.find("(alert 17)"), std::string::npos);
  EXPECT_NE(text.body.find("https://jobs.example.com/ui/runs/912"), std::string::npos);
}

TEST(AlertMessage, EachEventHasItsOwnHeadline) {
  AlertFacts late = Failed();
  late.event = core::AlertEvent::kLate;
  late.lateness = core::Milliseconds{5min};
  AlertFacts silent = Failed();
  silent.event = core::AlertEvent::kSilent;
  silent.silent_for = core::Milliseconds{2h};
  silent.job_namespace = "payments";
  AlertFacts recovered = Failed();
  recovered.event = core::AlertEvent::kRecovered;
  AlertFacts once = Failed();
  once.consecutive_failures = 1;

  EXPECT_EQ(DescribeAlert(late).subject,
            "[jobsched] Job 'nightly-backup' has not started, 5m after its scheduled time");
  EXPECT_EQ(DescribeAlert(silent).subject, "[jobsched] Job 'nightly-backup' in payments has not succeeded for 2h");
  EXPECT_EQ(DescribeAlert(recovered).subject, "[jobsched] Job 'nightly-backup' succeeded again");
  EXPECT_EQ(DescribeAlert(once).subject, "[jobsched] Job 'nightly-backup' failed");
}

TEST(AlertMessage, TheJsonPayloadCarriesEveryFactAndTheAlertsId) {
  const json::value payload = Parsed(AlertPayload(Failed(), core::WebhookFormat::kJson));

  EXPECT_EQ(payload.at("alert_id").as_int64(), 17);
  EXPECT_EQ(payload.at("event").as_string(), "failed");
  EXPECT_EQ(payload.at("job").at("name").as_string(), "nightly-backup");
  EXPECT_EQ(payload.at("run").at("id").as_int64(), 912);
  EXPECT_EQ(payload.at("run").at("state").as_string(), "failed");
  EXPECT_EQ(payload.at("consecutive_failures").as_int64(), 3);
  EXPECT_TRUE(payload.at("lateness_ms").is_null());
  EXPECT_EQ(payload.at("link").as_string(), "https://jobs.example.com/ui/runs/912");
}

TEST(AlertMessage, SlackGetsTextForNotificationsAndEscapedMarkupWithAButton) {
  AlertFacts facts = Failed();
  facts.job_name = "<!channel> & co";

  const json::value payload = Parsed(AlertPayload(facts, core::WebhookFormat::kSlack));

  EXPECT_EQ(payload.at("text").as_string(), "[jobsched] Job '<!channel> & co' failed 3 times in a row");
  const std::string markup(payload.at("blocks").at(0).at("text").at("text").as_string());
  EXPECT_NE(markup.find("&lt;!channel&gt; &amp; co"), std::string::npos) << markup;
  EXPECT_EQ(markup.find("<!channel>"), std::string::npos) << "a job's name must not ping a channel";
  EXPECT_EQ(payload.at("blocks").at(1).at("elements").at(0).at("url").as_string(), facts.link);
}

TEST(AlertMessage, TeamsGetsAnAdaptiveCard) {
  const json::value payload = Parsed(AlertPayload(Failed(), core::WebhookFormat::kTeams));

  EXPECT_EQ(payload.at("type").as_string(), "message");
  const json::value& attachment = payload.at("attachments").at(0);
  EXPECT_EQ(attachment.at("contentType").as_string(), "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(attachment.at("content").at("type").as_string(), "AdaptiveCard");
  EXPECT_EQ(attachment.at("content").at("body").at(0).at("text").as_string(),
            "[jobsched] Job 'nightly-backup' failed 3 times in a row");
  EXPECT_EQ(attachment.at("content").at("actions").at(0).at("url").as_string(), Failed().link);
}

TEST(AlertMessage, WithoutARunOrALinkThoseAreLeftOut) {
  AlertFacts facts = Failed();
  facts.event = core::AlertEvent::kSilent;
  facts.run_id.reset();
  facts.error.clear();
  facts.link.clear();

  const json::value payload = Parsed(AlertPayload(facts, core::WebhookFormat::kJson));
  const json::value slack = Parsed(AlertPayload(facts, core::WebhookFormat::kSlack));

  EXPECT_TRUE(payload.at("run").is_null());
  EXPECT_TRUE(payload.at("link").is_null());
  EXPECT_EQ(slack.at("blocks").as_array().size(), 1u);
  EXPECT_EQ(DescribeAlert(facts).body.find("Run "), std::string::npos);
}

}  // namespace
}  // namespace jobsched::codec
