#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/response_stream.hpp"
#include "core/api_key.hpp"
#include "core/time.hpp"

namespace jobsched::api {

// The console session a request authenticated with (its cookie), as
// AccessControl found it.
struct CallerSession {
  std::string id_hash;         // hex SHA-256 of the session id
  std::string csrf_token;      // what the session's changes must send as X-CSRF-Token
  core::TimePoint expires_at;  // when it ends: its idle expiry, or its key's expiry if sooner
};

// Who sent a request, as Api::Handle established it before any handler runs;
// never read from the request itself. The default is the caller of a service
// without authentication: anonymous, and free to use every namespace.
struct Caller {
  std::string key_name;                // the API key's name; empty when anonymous
  std::optional<std::int64_t> key_id;  // that key's id (for the audit log)
  // The client's address: the peer's, or behind a trusted proxy the one it
  // forwarded (TrustedProxies::ClientAddress). For the audit log.
  std::string address;
  // Where the jobs it creates go when the request names no namespace; for a
  // read or write key, the only namespace it may see or touch.
  std::string home_namespace = "default";
  bool all_namespaces = true;  // an admin key, or no authentication
  // An admin key, or no authentication: may also do what reaches beyond
  // jobsched itself (shell tasks run commands on the service's host).
  bool admin = true;
  core::Role role = core::Role::kAdmin;  // the key's role; admin when anonymous
  std::optional<core::TimePoint> key_expires_at;
  // Set when the request authenticated with a console session's cookie
  // rather than a bearer token.
  std::optional<CallerSession> session;

  // Whether this caller may see and touch jobs (and their runs) of namespace `name`.
  bool MayAccess(std::string_view name) const { return all_namespaces || name == home_namespace; }
};

// A parsed HTTP request, free of Boost.Beast so that handlers and their tests
// do not pay for Beast's headers. Header names keep the client's spelling;
// Header() looks them up case-insensitively.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/jobs?limit=10"
  std::string path;    // target without the query: "/jobs"
  std::string query;   // after '?', undecoded; empty when absent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // peer IP, for logs and anonymous rate limits
  Caller caller;               // set by Api::Handle (authentication), not by the server
  std::string request_id;      // set by Api::Handle: the client's X-Request-Id if sane, else a new one

  // The first header with this name (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
  // Every header with this name, in order (a list header may come in several).
  std::vector<std::string_view> HeaderValues(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A body sent as it is produced (Server-Sent Events) instead of `body`:
  // the server writes the headers, then what the stream gives, until it ends
  // or the client leaves; the connection closes after it (no Content-Length).
  std::shared_ptr<ResponseStream> stream;

  HttpResponse& SetHeader(std::string name, std::string value);
  std::string_view Header(std::string_view name) const;
};

// Handlers answer through a Responder, which may be called later and from any
// thread (a write answers once its transaction commits on the store's writer
// thread). It must be called exactly once.
using Responder = std::function<void(HttpResponse)>;
using RequestHandler = std::function<void(HttpRequest&&, Responder)>;

// The media type of a Content-Type value, lower-cased (media types are
// case-insensitive), without parameters such as charset.
std::string MediaType(std::string_view content_type);

}  // namespace jobsched::api
