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
#include "api/session_manager.hpp"
#include "api/trusted_proxies.hpp"
#include "core/clock.hpp"

namespace jobsched::api {

struct AccessOptions {
  // The keys requests authenticate with; null for none.
  const ApiKeyCache* keys = nullptr;
  // The console's sessions, whose cookie stands in for a key's token; null
  // for none (the cookie is then ignored).
  SessionManager* sessions = nullptr;
  // Authenticate even while no key exists: --require-auth, or the service
  // listens beyond loopback and --insecure was not given. Everything but the
  // open routes is then refused until a key is created.
  bool require_keys = false;
  // Which routes stay open while authentication is on (/healthz always does).
  bool public_metrics = false;
  bool public_readyz = true;
  bool public_docs = true;
  RateLimiterOptions rate_limit;
  // Whose X-Forwarded-For names the client of an anonymous request, and
  // whose X-Forwarded-Proto says the client used TLS.
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
// A request without an Authorization header may instead carry the cookie of
// a console session (docs/decisions/0008): it then authenticates as the
// session's key, looked up in the key cache, so a revoked or expired key
// ends its sessions. A change (any method but GET and HEAD) authenticated
// by the cookie must also send X-CSRF-Token, the session's token, and, when
// it has an Origin, come from this service's own origin; 403 otherwise.
// POST /sessions (sign-in) is open, but refuses another site's Origin too.
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

  // The keys requests authenticate with (null: none).
  const ApiKeyCache* keys() const { return options_.keys; }

  // Whose forwarded headers are believed (for the Secure cookie attribute).
  const TrustedProxies& trusted_proxies() const { return options_.trusted_proxies; }

 private:
  // Who sent a request that must authenticate: its key, and the session
  // when it came with the cookie.
  struct Identity {
    AuthenticatedKey key;
    std::optional<CallerSession> session;
    TokenDigest csrf_digest{};  // the session's, as stored
  };
  // The identity of `request`, or nullopt with the refusal (401, 429, 503)
  // in `verdict`.
  std::optional<Identity> Authenticate(const HttpRequest& request, Verdict& verdict) const;
  // The identity the session cookie `id` names, or nullopt with the refusal.
  std::optional<Identity> AuthenticateSession(const HttpRequest& request, std::string_view id, Verdict& verdict) const;
  // Refuses (403) a change authenticated by `session` that lacks its CSRF
  // token or comes from another origin; false with the refusal in `verdict`.
  bool CheckCsrf(const HttpRequest& request, const Identity& identity, Verdict& verdict) const;
  // Refuses (403) a request whose Origin header names another origin.
  bool CheckOrigin(const HttpRequest& request, Verdict& verdict) const;
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
