#pragma once

#include <sys/types.h>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "testing/temp_dir.hpp"

namespace jobsched::testing {

// One message the SMTP server accepted, decoded by Python's email package.
struct ReceivedEmail {
  std::string mail_from;                                     // the envelope sender (MAIL FROM)
  std::vector<std::string> rcpt_tos;                         // the envelope recipients (RCPT TO)
  std::string raw;                                           // the message as it arrived
  std::vector<std::pair<std::string, std::string>> headers;  // decoded (RFC 2047) values
  std::string body;                                          // decoded content (quoted-printable undone)
  std::vector<std::string> defects;                          // what the parser found malformed; empty is good

  // The first header called `name`, compared case-insensitively.
  std::optional<std::string> Header(std::string_view name) const;
};

struct SmtpServerOptions {
  // Advertise AUTH over plain text (the server never offers STARTTLS), as one
  // an attacker stripped STARTTLS from would; every login is accepted and
  // recorded (AuthAttempts). Off: AUTH is not offered at all.
  bool offer_auth_without_tls = false;
};

// A real SMTP server for tests: Debian's aiosmtpd, started as a subprocess on
// 127.0.0.1 and a free port, with a handler (testing/smtp_sink.py) that stores
// each accepted message in a temporary folder. The process is killed (by its
// PID) in the destructor, and also dies with the test process. Throws
// std::runtime_error when the server does not come up within a few seconds.
class SmtpServer {
 public:
  explicit SmtpServer(SmtpServerOptions options = {});
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;
  ~SmtpServer();

  int port() const { return port_; }
  // "smtp://127.0.0.1:<port>".
  std::string Url() const;

  // Every message accepted so far, in order of arrival. A message is here as
  // soon as the client has seen the server's 250 for it.
  std::vector<ReceivedEmail> Messages() const;

  // "MECHANISM login" for every AUTH the server saw, in order of arrival
  // (only with offer_auth_without_tls; otherwise AUTH is refused unseen).
  std::vector<std::string> AuthAttempts() const;

 private:
  // Starts aiosmtpd on `port`; false if it exited (port taken) or never
  // accepted connections.
  bool TryStart(int port, std::string& failure);
  void Kill();

  SmtpServerOptions options_;
  TempDir directory_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace jobsched::testing
