#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "executor/curl_loop.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::email {

// How the connection to an smtp:// server is protected. smtps:// URLs use TLS
// from the first byte whatever this says. Credentials never travel in clear:
// with a user name (or userinfo in the URL) every mode but kNone requires
// TLS, and kNone is refused.
enum class SmtpTls {
  kNone,               // plain text: only for a relay on the same host or a private network
  kStartTlsIfOffered,  // STARTTLS when the server offers it, plain otherwise (open to downgrade)
  kRequired,           // STARTTLS or fail
  // The default: kRequired with credentials or a server beyond loopback,
  // kStartTlsIfOffered for a relay on this host (postfix on 127.0.0.1:25,
  // Mailpit), which often offers no STARTTLS and needs none.
  kAuto,
};

// The operator's SMTP setup. Jobs choose recipients and content, never the
// server or the credentials.
struct EmailOptions {
  // smtp://host:port (submission usually on 587) or smtps://host:port (465).
  std::string smtp_url = "smtp://localhost:587";
  SmtpTls tls = SmtpTls::kAuto;
  // SMTP AUTH when `username` is not empty; read them from the operator's
  // environment, never from a job.
  std::string username;
  std::string password;
  // The sender of jobs that name none: "jobs@example.com" or
  // "Jobs <jobs@example.com>". Empty: such jobs fail.
  std::string default_from;
  // Right-hand side of Message-IDs; empty means the sender's domain.
  std::string message_id_domain;
  // PEM bundle to verify the server with; empty means the system's.
  std::string ca_file;
};

// What `options.tls` comes to for its server and credentials: kNone,
// kStartTlsIfOffered or kRequired, never kAuto, and kRequired whenever
// credentials are set (unless kNone, which Create refuses with credentials).
SmtpTls EffectiveSmtpTls(const EmailOptions& options);

// "TLS required", "STARTTLS if offered", "plain text" (for logs).
std::string_view Describe(SmtpTls tls);

// Sends core::EmailTask through the configured SMTP server, on a shared
// CurlLoop. The message is plain UTF-8 text; its Message-ID is derived from
// the run ("<jobsched.<job>.<run>@domain>"), the same for every attempt, so a
// receiver that de-duplicates by Message-ID shows a retried run once. The
// output names the recipients, the Message-ID and the server's last reply.
class EmailTaskRunner final : public TaskRunner {
 public:
  // Fails with kInvalidArgument when the URL is not smtp:// or smtps://, a
  // sender or domain contains line breaks, or kNone would send credentials
  // over smtp:// in clear (field "smtp_tls"). `loop` and `clock` (for the Date
  // header) must outlive the runner; tasks in flight do not need the runner.
  static core::Result<std::unique_ptr<EmailTaskRunner>> Create(CurlLoop& loop, EmailOptions options,
                                                               const core::Clock& clock);

  void Start(const core::Task& task, const RunContext& context, DoneCallback done) override;

 private:
  EmailTaskRunner(CurlLoop& loop, EmailOptions options, const core::Clock& clock);

  CurlLoop& loop_;
  const EmailOptions options_;
  const core::Clock& clock_;
};

}  // namespace jobsched::executor::email
