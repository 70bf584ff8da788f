#pragma once

// The service's REST API, for the client commands: JSON in and out, a
// problem+json answer turned into a core::Error, lists followed page by
// page, and --print-curl.

#include <cstdio>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "client/connection.hpp"
#include "client/http_client.hpp"
#include "core/result.hpp"

namespace jobsched::client {

struct ApiAnswer {
  int status = 0;
  boost::json::value body;  // null when the answer had none (204)
  std::string etag;
  std::string location;
  bool printed = false;  // --print-curl: the change was printed, not sent
};

// The error an answer of status 4xx or 5xx stands for: its code from the
// status (400 kInvalidArgument, 401 kUnauthenticated, 403
// kPermissionDenied, 404 kNotFound, 409 kConflict, 412
// kPreconditionFailed, 429 kRateLimited, 5xx kUnavailable), its message the
// problem's detail and its field the problem's field.
core::Error ErrorFromAnswer(const HttpAnswer& answer);

class ApiClient {
 public:
  // With `print_curl`, changes are printed to `curl_out` as curl commands
  // instead of being sent; reads are still sent.
  ApiClient(ConnectionSettings settings, bool print_curl, std::FILE* curl_out = stdout)
      : settings_(std::move(settings)), print_curl_(print_curl), curl_out_(curl_out) {}

  // GET `target`; a 2xx answer, or the error it stands for.
  core::Result<ApiAnswer> Get(const std::string& target) const;

  // A change: `method` on `target` with `body` (JSON) and If-Match when
  // given. With --print-curl, prints it and answers {printed = true}.
  core::Result<ApiAnswer> Change(const std::string& method, const std::string& target,
                                 const std::optional<boost::json::value>& body, const std::string& if_match = "") const;

  // A change sent with ?dry_run=true whatever --print-curl says: the
  // service checks it and answers what it would do (a DryRun).
  core::Result<ApiAnswer> DryRun(const std::string& method, const std::string& target,
                                 const std::optional<boost::json::value>& body, const std::string& if_match = "") const;

  // Every item of a list, following its Link: rel="next" pages, stopping
  // after `max_items`.
  core::Result<boost::json::array> GetAll(const std::string& target, std::size_t max_items = SIZE_MAX) const;

  const ConnectionSettings& settings() const { return settings_; }
  bool printing() const { return print_curl_; }

 private:
  core::Result<ApiAnswer> Send(const HttpCall& call) const;

  ConnectionSettings settings_;
  bool print_curl_;
  std::FILE* curl_out_;
};

}  // namespace jobsched::client
