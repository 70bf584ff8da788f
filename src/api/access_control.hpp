#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/access_policy.hpp"
#include "api/api_key_cache.hpp"
#include "api/http_message.hpp"
#include "api/rate_limiter.hpp"
#include "api/router.hpp"
#include "api/trusted_proxies.hpp"
#include "core/clock.hpp"

namespace jobsched::api {

struct AccessOptions {
  // The keys requests authenticate with; null for none.
  const ApiKeyCache* keys = nullptr;
  // Authenticate even while no key exists: --require-auth, or the service
  // listens beyond loopback and --insecure was not given. Everything but the
  // open routes is then refused until a key is created.
  bool require_keys = false;
  // Which routes stay open while authentication is on (/healthz always does).
  bool public_metrics = false;
  bool public_readyz = true;
  bool public_docs = true;
  RateLimiterOptions rate_limit;
  // Whose X-Forwarded-For names the client of an anonymous request.
  TrustedProxies trusted_proxies;
};

// Authentication, authorisation and rate limiting of every request, decided
// before its handler runs (Api::Handle calls it).
//
// Authentication is on while at least one active key exists, once the
// database has recorded that it is required (a key ever existed: revoking
// the last one does not switch it off; ApiKeyStore::AuthenticationRequired),
// or always with `require_keys`. Off, every caller is anonymous with full access, as before
// keys existed. On, a request needs `Authorization: Bearer <token>` of an
// active key (401 otherwise) whose role the route allows (403 otherwise),
// except on open routes. A read or write key is confined to its namespace;
// the handlers apply that through HttpRequest::caller.
//
// Every request except /healthz and /readyz is charged to a token bucket:
// its key's, or its client address's when anonymous (also when the key it
// sent is not valid, so guessing is limited too). Over the limit: 429.
class AccessControl {
 public:
  // `clock` must outlive it.
  AccessControl(AccessOptions options, const core::Clock& clock);

  struct Verdict {
    // The answer to send instead of calling the handler (401, 403, 429).
    std::optional<HttpResponse> refusal;
    // RateLimit-* headers for the answer, whichever it is.
    std::vector<std::pair<std::string, std::string>> headers;
  };

  // Decides on `request` bound for `route` (nullptr: no route matches; the
  // router will answer 404 or 405 once the caller is authenticated). Sets
  // request.caller when the request may go on. Safe from any thread.
  Verdict Check(HttpRequest& request, const Router::Route* route) const;

  // Whether requests must authenticate right now.
  bool AuthenticationOn() const;

 private:
  // Charges `client` one request; false (with the 429 in `verdict`) when over.
  bool Charge(const std::string& client, std::int64_t limit, Verdict& verdict) const;
  // Charges the caller's address the default limit; nothing to do (and no
  // client key to build) when there is no default limit.
  bool ChargeAnonymous(const HttpRequest& request, Verdict& verdict) const;

  const AccessOptions options_;
  const core::Clock& clock_;
  mutable RateLimiter limiter_;
};

}  // namespace jobsched::api
