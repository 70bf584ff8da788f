#pragma once

// HTTP to the service, over libcurl (compiled in http_client.cpp only).

#include <map>
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

// The curl command line that sends `call`, for --print-curl: shell-quoted,
// with the token as "$JOBSCHED_TOKEN" (expanded by the shell, never
// printed) and --cacert when one is set.
std::string CurlCommand(const ConnectionSettings& settings, const HttpCall& call);

}  // namespace jobsched::client
