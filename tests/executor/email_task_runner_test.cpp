#include "executor/email/email_task_runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "result_collector.hpp"
#include "testing/fake_clock.hpp"
#include "testing/http_endpoint.hpp"
#include "testing/smtp_server.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::executor::email {
namespace {

using namespace std::chrono_literals;
using jobsched::testing::At;

// What Python's parser hands back for a body we sent with LF line endings.
std::string WithCrlf(const std::string& text) {
  std::string out;
  for (const char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

// One aiosmtpd for the whole suite: starting Python takes a while.
class EmailTaskRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new jobsched::testing::SmtpServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static EmailOptions Options(std::string url = server_->Url()) {
    EmailOptions options;
    options.smtp_url = std::move(url);
    options.tls = SmtpTls::kNone;  // aiosmtpd here speaks plain SMTP
    options.default_from = "Jobsched <jobs@example.com>";
    return options;
  }

  std::unique_ptr<EmailTaskRunner> Runner(EmailOptions options = Options()) {
    auto runner = EmailTaskRunner::Create(*loop_, std::move(options), clock_);
    EXPECT_TRUE(runner.ok()) << runner.error().message;
    return std::move(runner).value();
  }

  static RunContext Context() {
    RunContext context;
    context.run_id = 4242;
    context.job_id = 17;
    context.timeout = 20s;
    return context;
  }

  // Messages this test delivered: the server is shared by the suite.
  std::vector<jobsched::testing::ReceivedEmail> NewMessages() const {
    auto all = server_->Messages();
    return {all.begin() + static_cast<std::ptrdiff_t>(messages_before_), all.end()};
  }

  static jobsched::testing::SmtpServer* server_;
  std::size_t messages_before_ = server_->Messages().size();
  jobsched::testing::FakeClock clock_{At("2026-03-03T10:00:00Z")};
  std::unique_ptr<CurlLoop> loop_ = CurlLoop::Create().value();
};

jobsched::testing::SmtpServer* EmailTaskRunnerTest::server_ = nullptr;

TEST_F(EmailTaskRunnerTest, DeliversToRecipientsAndCcWithEncodedSubject) {
  core::EmailTask task;
  task.to = {"alice@example.com", "bob@example.org"};
  task.cc = {"carol@example.net"};
  task.subject = "Rapport quotidien \xE2\x80\x93 r\xC3\xA9sum\xC3\xA9 \xE2\x9C\x93";
  task.body =
      "Bonjour,\n\ntout va bien \xE2\x80\x94 \xC3\xA9t\xC3\xA9 2026.\n.leading dot\n" + std::string(200, '#') + "\n";
  task.from = "reports@example.com";

  TaskResult result = testing::RunAndWait(*Runner(), task, Context());

  ASSERT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  const auto messages = NewMessages();
  ASSERT_EQ(messages.size(), 1U);
  const auto& message = messages[0];
  EXPECT_EQ(message.mail_from, "reports@example.com");
  EXPECT_EQ(message.rcpt_tos, (std::vector<std::string>{"alice@example.com", "bob@example.org", "carol@example.net"}));
  EXPECT_EQ(message.Header("From"), "reports@example.com");
  EXPECT_EQ(message.Header("To"), "alice@example.com, bob@example.org");
  EXPECT_EQ(message.Header("Cc"), "carol@example.net");
  EXPECT_EQ(message.Header("Subject"), task.subject);
  EXPECT_EQ(message.Header("Date"), "Tue, 03 Mar 2026 10:00:00 +0000");
  EXPECT_EQ(message.Header("Message-ID"), "<jobsched.17.4242@example.com>");
  EXPECT_EQ(message.Header("X-Jobsched-Run-Id"), "4242");
  EXPECT_EQ(message.body, WithCrlf(task.body));
  EXPECT_TRUE(message.defects.empty()) << message.defects.front();
  EXPECT_EQ(result.output,
            "to alice@example.com, bob@example.org; cc carol@example.net\n"
            "Message-ID: <jobsched.17.4242@example.com>\n"
            "server: 250 OK stored as message " +
                std::to_string(messages_before_ + 1));
}

TEST_F(EmailTaskRunnerTest, UsesTheDefaultSenderWhenTheJobNamesNone) {
  core::EmailTask task;
  task.to = {"alice@example.com"};
  task.subject = "Plain";
  task.body = "text";

  TaskResult result = testing::RunAndWait(*Runner(), task, Context());

  ASSERT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  const auto messages = NewMessages();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].mail_from, "jobs@example.com");
  EXPECT_EQ(messages[0].Header("From"), "Jobsched <jobs@example.com>");
  EXPECT_EQ(messages[0].Header("Subject"), "Plain");
  EXPECT_EQ(messages[0].body, "text\r\n");
}

TEST_F(EmailTaskRunnerTest, KeepsLongSubjectsIntactThroughFolding) {
  core::EmailTask task;
  task.to = {"alice@example.com"};
  task.subject = "Weekly " + std::string(120, 'w') + " summary of \xC3\xA9v\xC3\xA9nements " + std::string(100, 'e');
  task.body = "x";

  TaskResult result = testing::RunAndWait(*Runner(), task, Context());

  ASSERT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  const auto messages = NewMessages();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].Header("Subject"), task.subject);
  EXPECT_TRUE(messages[0].defects.empty()) << messages[0].defects.front();
}

TEST_F(EmailTaskRunnerTest, FailsWhenTheServerIsDown) {
  const std::string url = "smtp://127.0.0.1:" + std::to_string(jobsched::testing::UnusedLoopbackPort());
  core::EmailTask task;
  task.to = {"alice@example.com"};

  TaskResult result = testing::RunAndWait(*Runner(Options(url)), task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("connection refused by the SMTP server " + url, 0), 0U) << result.error;
}

TEST_F(EmailTaskRunnerTest, FailsWhenStartTlsIsRequiredButNotOffered) {
  EmailOptions options = Options();
  options.tls = SmtpTls::kRequired;
  core::EmailTask task;
  task.to = {"alice@example.com"};

  TaskResult result = testing::RunAndWait(*Runner(options), task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_NE(result.error.find("STARTTLS"), std::string::npos) << result.error;
  EXPECT_TRUE(NewMessages().empty());
}

// A server that does not offer STARTTLS but takes AUTH in clear: what a
// server looks like to us once an attacker on the path stripped STARTTLS.
class EmailCredentialsTest : public EmailTaskRunnerTest {
 protected:
  // The base's server too: its members read it.
  static void SetUpTestSuite() {
    EmailTaskRunnerTest::SetUpTestSuite();
    stripped_ = new jobsched::testing::SmtpServer({.offer_auth_without_tls = true});
  }
  static void TearDownTestSuite() {
    delete stripped_;
    stripped_ = nullptr;
    EmailTaskRunnerTest::TearDownTestSuite();
  }

  static EmailOptions WithCredentials(SmtpTls tls) {
    EmailOptions options = Options(stripped_->Url());
    options.tls = tls;
    options.username = "relay-user";
    options.password = "relay-password";
    return options;
  }

  static core::EmailTask Task() {
    core::EmailTask task;
    task.to = {"alice@example.com"};
    return task;
  }

  static jobsched::testing::SmtpServer* stripped_;
  // AUTHs the server saw in this test: it is shared by the suite.
  std::vector<std::string> NewAuthAttempts() const {
    auto all = stripped_->AuthAttempts();
    return {all.begin() + static_cast<std::ptrdiff_t>(auth_before_), all.end()};
  }

  std::size_t stripped_before_ = stripped_->Messages().size();
  std::size_t auth_before_ = stripped_->AuthAttempts().size();
};

jobsched::testing::SmtpServer* EmailCredentialsTest::stripped_ = nullptr;

// Issue #14: with --smtp-tls starttls, credentials went out as AUTH PLAIN.
TEST_F(EmailCredentialsTest, StartTlsIfOfferedNeverSendsCredentialsWithoutTls) {
  TaskResult result = testing::RunAndWait(*Runner(WithCredentials(SmtpTls::kStartTlsIfOffered)), Task(), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_NE(result.error.find("does not offer STARTTLS"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("credentials"), std::string::npos) << result.error;
  EXPECT_EQ(NewAuthAttempts(), std::vector<std::string>{});
  EXPECT_EQ(stripped_->Messages().size(), stripped_before_);
}

TEST_F(EmailCredentialsTest, AutoRequiresTlsWhenCredentialsAreSetEvenOnLoopback) {
  TaskResult result = testing::RunAndWait(*Runner(WithCredentials(SmtpTls::kAuto)), Task(), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_NE(result.error.find("does not offer STARTTLS"), std::string::npos) << result.error;
  EXPECT_EQ(NewAuthAttempts(), std::vector<std::string>{});
  EXPECT_EQ(stripped_->Messages().size(), stripped_before_);
}

TEST_F(EmailCredentialsTest, CredentialsInTheUrlCountAsCredentials) {
  EmailOptions options = Options("smtp://url-user:url-password@127.0.0.1:" + std::to_string(stripped_->port()));
  options.tls = SmtpTls::kStartTlsIfOffered;

  TaskResult result = testing::RunAndWait(*Runner(options), Task(), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(NewAuthAttempts(), std::vector<std::string>{});
}

TEST_F(EmailCredentialsTest, PlainTextWithCredentialsIsRefusedAtStart) {
  auto runner = EmailTaskRunner::Create(*loop_, WithCredentials(SmtpTls::kNone), clock_);

  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.error().field, "smtp_tls");
  EXPECT_NE(runner.error().message.find("credentials"), std::string::npos) << runner.error().message;
}

TEST_F(EmailCredentialsTest, WithoutCredentialsAutoDeliversInClearToALoopbackRelay) {
  EmailOptions options = Options(stripped_->Url());
  options.tls = SmtpTls::kAuto;

  TaskResult result = testing::RunAndWait(*Runner(options), Task(), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(stripped_->Messages().size(), stripped_before_ + 1);
}

TEST(EffectiveSmtpTls, AutoRequiresTlsWithCredentialsOrBeyondLoopbackAndTriesItOtherwise) {
  struct Case {
    std::string url;
    SmtpTls tls;
    std::string username;
    SmtpTls expected;
  };
  const std::vector<Case> cases = {
      {"smtp://127.0.0.1:25", SmtpTls::kAuto, "", SmtpTls::kStartTlsIfOffered},
      {"smtp://localhost:25", SmtpTls::kAuto, "", SmtpTls::kStartTlsIfOffered},
      {"smtp://LOCALHOST", SmtpTls::kAuto, "", SmtpTls::kStartTlsIfOffered},
      {"smtp://[::1]:25", SmtpTls::kAuto, "", SmtpTls::kStartTlsIfOffered},
      {"smtp://127.0.0.2:2525/helo.example", SmtpTls::kAuto, "", SmtpTls::kStartTlsIfOffered},
      {"smtp://127.0.0.1:25", SmtpTls::kAuto, "user", SmtpTls::kRequired},
      {"smtp://user:pw@127.0.0.1:25", SmtpTls::kAuto, "", SmtpTls::kRequired},
      {"smtp://mail.example.com:587", SmtpTls::kAuto, "", SmtpTls::kRequired},
      {"smtp://10.0.0.5:25", SmtpTls::kAuto, "", SmtpTls::kRequired},
      {"smtp://localhost.evil.example:25", SmtpTls::kAuto, "", SmtpTls::kRequired},
      {"smtp://127.0.0.1@mail.example.com:25", SmtpTls::kAuto, "", SmtpTls::kRequired},
      {"smtp://mail.example.com:587", SmtpTls::kStartTlsIfOffered, "", SmtpTls::kStartTlsIfOffered},
      {"smtp://mail.example.com:587", SmtpTls::kStartTlsIfOffered, "user", SmtpTls::kRequired},
      {"smtp://mail.example.com:25", SmtpTls::kNone, "", SmtpTls::kNone},
      {"smtp://127.0.0.1:25", SmtpTls::kRequired, "", SmtpTls::kRequired},
  };
  for (const Case& c : cases) {
    EmailOptions options;
    options.smtp_url = c.url;
    options.tls = c.tls;
    options.username = c.username;

    EXPECT_EQ(EffectiveSmtpTls(options), c.expected) << c.url << " " << c.username;
  }
}

TEST_F(EmailTaskRunnerTest, FailsWithoutAnySender) {
  EmailOptions options = Options();
  options.default_from.clear();
  core::EmailTask task;
  task.to = {"alice@example.com"};

  TaskResult result = testing::RunAndWait(*Runner(options), task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_NE(result.error.find("no sender"), std::string::npos) << result.error;
}

TEST_F(EmailTaskRunnerTest, RejectsAServerUrlThatIsNotSmtp) {
  auto runner = EmailTaskRunner::Create(*loop_, Options("http://127.0.0.1:25"), clock_);

  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.error().code, core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace jobsched::executor::email
