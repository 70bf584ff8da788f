#pragma once

// HTTP to the service, over libcurl (compiled in http_client.cpp only).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/connection.hpp"
#include "core/result.hpp"

namespace jobsched::client {

// One request: method, target (path and query, "/jobs?limit=1000"), an
// optional body and extra headers (If-Match). The token is added from the
// connection settings, never here.
struct HttpCall {
  std::string method = "GET";
  std::string target;
  std::optional<std::string> body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Sends `call` to settings.server: HTTPS verified against the system's CAs,
// or settings.cacert's. Any status is an answer; fails with kUnavailable
// (naming the server, and saying what to check) when no answer came: the
// service is not running, the name does not resolve, TLS failed, the
// connection timed out.
core::Result<HttpAnswer> SendHttp(const ConnectionSettings& settings, const HttpCall& call);

// A request whose answer's body keeps arriving (GET /events): Open() waits
// for the answer's status and headers, Read() for more of its body. No
// time limit for the whole answer, unlike SendHttp; the connection closes
// when the stream is destroyed.
class HttpStream {
 public:
  // Sends `call` (the token added as by SendHttp) and waits for the head of
  // the answer until settings.timeout; fails with kUnavailable as SendHttp
  // does when no answer came.
  static core::Result<std::unique_ptr<HttpStream>> Open(const ConnectionSettings& settings, const HttpCall& call);
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;
  ~HttpStream();

  int status() const;
  // The answer's headers, lower-case names.
  const std::map<std::string, std::string>& headers() const;
  // The body that arrived within `wait` ("" when none did); kUnavailable
  // once the answer has ended (the connection closed or failed).
  core::Result<std::string> Read(std::chrono::milliseconds wait);

 private:
  struct Transfer;
  explicit HttpStream(std::unique_ptr<Transfer> transfer);
  std::unique_ptr<Transfer> transfer_;
};

// The curl command line that sends `call`, for --print-curl: shell-quoted,
// with the token as "$JOBSCHED_TOKEN" (expanded by the shell, never
// printed) and --cacert when one is set.
std::string CurlCommand(const ConnectionSettings& settings, const HttpCall& call);

}  // namespace jobsched::client
