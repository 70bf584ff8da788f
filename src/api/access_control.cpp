#include "api/access_control.hpp"

#include "api/problem.hpp"
#include "api/request_origin.hpp"
#include "api/session_cookie.hpp"
#include "api/session_secrets.hpp"

namespace jobsched::api {
namespace {

void AddLimitHeaders(const TokenBucket::Decision& decision, std::vector<std::pair<std::string, std::string>>& headers) {
  headers.emplace_back("RateLimit-Limit", std::to_string(decision.limit));
  headers.emplace_back("RateLimit-Remaining", std::to_string(decision.remaining));
  headers.emplace_back("RateLimit-Reset", std::to_string(decision.reset_s));
}

HttpResponse Unauthenticated(bool sent_a_token, std::optional<core::TimePoint> expired_at = std::nullopt) {
  HttpResponse response = ProblemResponse(core::Error::Unauthenticated(
      expired_at     ? "the API key expired at " + core::FormatRfc3339(*expired_at)
      : sent_a_token ? "the API key is not valid: unknown, revoked or malformed"
                     : "this request needs an API key: send Authorization: Bearer <token>"));
  // RFC 6750: a request without credentials gets the bare challenge; a bad token says so.
  response.SetHeader("WWW-Authenticate",
                     sent_a_token ? "Bearer realm=\"jobsched\", error=\"invalid_token\"" : "Bearer realm=\"jobsched\"");
  return response;
}

// A session cookie that names no live session, or one whose key no longer
// authenticates (`key_name` then says which).
HttpResponse SessionEnded(const std::string& key_name) {
  HttpResponse response = ProblemResponse(core::Error::Unauthenticated(
      key_name.empty()
          ? "the console session has ended (signed out, or unused for too long): sign in again"
          : "the console session's API key '" + key_name + "' was revoked or has expired: sign in with another key"));
  response.SetHeader("WWW-Authenticate", "Bearer realm=\"jobsched\"");
  return response;
}

// Whether `method` may change something: everything but GET and HEAD (fail closed).
bool IsChange(std::string_view method) { return method != "GET" && method != "HEAD"; }

bool IsOpen(RouteAccess access, const AccessOptions& options) {
  switch (access) {
    case RouteAccess::kHealth: return true;
    case RouteAccess::kReadiness: return options.public_readyz;
    case RouteAccess::kMetrics: return options.public_metrics;
    case RouteAccess::kDocs: return options.public_docs;
    // The console must load before anyone can sign in; it holds no data.
    case RouteAccess::kConsole: return true;
    case RouteAccess::kSignIn: return true;
    case RouteAccess::kRead:
    case RouteAccess::kWrite:
    case RouteAccess::kAdmin: return false;
  }
  return false;
}

}  // namespace

AccessControl::AccessControl(AccessOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock), limiter_(options_.rate_limit) {}

bool AccessControl::AuthenticationOn() const {
  return options_.require_keys ||
         (options_.keys != nullptr && (options_.keys->required() || options_.keys->size() > 0));
}

bool AccessControl::Charge(const std::string& client, std::int64_t limit, Verdict& verdict) const {
  const TokenBucket::Decision decision = limiter_.Take(client, limit, clock_.Now());
  if (decision.limit == 0) return true;  // not limited
  AddLimitHeaders(decision, verdict.headers);
  if (decision.allowed) return true;
  HttpResponse refusal =
      ProblemResponse(core::Error{core::ErrorCode::kRateLimited,
                                  "too many requests: the limit is " + std::to_string(decision.limit) + " per " +
                                      std::to_string(options_.rate_limit.window.count() / 1000) + " s; retry in " +
                                      std::to_string(decision.retry_after_s) + " s",
                                  {}});
  refusal.SetHeader("Retry-After", std::to_string(decision.retry_after_s));
  verdict.refusal = std::move(refusal);
  return false;
}

bool AccessControl::ChargeAnonymous(const HttpRequest& request, Verdict& verdict) const {
  const std::int64_t limit = options_.rate_limit.default_limit;
  if (limit <= 0) return true;
  // Behind a trusted load balancer, the address it forwarded, not its own.
  const std::string client =
      options_.trusted_proxies.empty()
          ? request.remote_address
          : options_.trusted_proxies.ClientAddress(request.remote_address, request.HeaderValues("X-Forwarded-For"));
  return Charge(AnonymousClient(client), limit, verdict);
}

std::optional<AccessControl::Identity> AccessControl::Authenticate(const HttpRequest& request, Verdict& verdict) const {
  const std::string_view authorization = request.Header("Authorization");
  if (authorization.empty() && options_.sessions != nullptr) {
    if (const auto cookie = CookieValue(request, kSessionCookieName)) {
      return AuthenticateSession(request, *cookie, verdict);
    }
  }
  const std::optional<std::string_view> token = BearerToken(authorization);
  std::optional<AuthenticatedKey> key;
  if (token && options_.keys != nullptr) key = options_.keys->Find(*token);
  if (!key || core::KeyExpired(key->expires_at, clock_.Now())) {
    // Guessing is charged to the address like any anonymous request.
    if (ChargeAnonymous(request, verdict)) {
      verdict.refusal = Unauthenticated(token.has_value(), key ? key->expires_at : std::nullopt);
    }
    return std::nullopt;
  }
  return Identity{std::move(*key), std::nullopt};
}

std::optional<AccessControl::Identity> AccessControl::AuthenticateSession(const HttpRequest& request,
                                                                          std::string_view id, Verdict& verdict) const {
  auto session = options_.sessions->Resolve(id);
  if (!session) {
    verdict.refusal = ProblemResponse(session.error());
    return std::nullopt;
  }
  std::optional<AuthenticatedKey> key;
  if (*session && options_.keys != nullptr) key = options_.keys->FindByName((*session)->key_name);
  const bool key_over = key && core::KeyExpired(key->expires_at, clock_.Now());
  if (!*session || !key || key_over) {
    if (ChargeAnonymous(request, verdict)) {
      verdict.refusal = SessionEnded(!*session ? std::string() : (*session)->key_name);
    }
    return std::nullopt;
  }
  core::TimePoint expires_at = (*session)->expires_at;
  if (key->expires_at && *key->expires_at < expires_at) expires_at = *key->expires_at;
  Identity identity{std::move(*key), CallerSession{(*session)->id_hash, CsrfTokenFor(id), expires_at},
                    (*session)->csrf_digest};
  return identity;
}

bool AccessControl::CheckOrigin(const HttpRequest& request, Verdict& verdict) const {
  const std::string_view origin = request.Header("Origin");
  if (origin.empty() || IsOwnOrigin(origin, request, options_.trusted_proxies)) return true;
  const std::string own = OwnOrigin(request, options_.trusted_proxies);
  verdict.refusal = ProblemResponse(core::Error{core::ErrorCode::kPermissionDenied,
                                                "cross-site request refused: Origin " +
                                                    std::string(origin.substr(0, 200)) + " is not this service's (" +
                                                    (own.empty() ? std::string("no Host header") : own) + ")",
                                                "Origin"});
  return false;
}

bool AccessControl::CheckCsrf(const HttpRequest& request, const Identity& identity, Verdict& verdict) const {
  if (!CheckOrigin(request, verdict)) return false;
  const std::string_view token = request.Header("X-CSRF-Token");
  if (!token.empty() && DigestsEqual(DigestToken(token), identity.csrf_digest)) return true;
  verdict.refusal = ProblemResponse(
      core::Error{core::ErrorCode::kPermissionDenied,
                  token.empty() ? "a change made with the console's session cookie needs the X-CSRF-Token header: the "
                                  "csrf_token of POST /sessions or GET /session"
                                : "X-CSRF-Token is not this session's token (see GET /session)",
                  "X-CSRF-Token"});
  return false;
}

AccessControl::Verdict AccessControl::Check(HttpRequest& request, const Router::Route* route) const {
  Verdict verdict;
  request.caller = Caller{};
  request.caller.address =
      options_.trusted_proxies.empty()
          ? request.remote_address
          : options_.trusted_proxies.ClientAddress(request.remote_address, request.HeaderValues("X-Forwarded-For"));
  // A path no route has needs a key all the same (when keys are on), so
  // that unauthenticated callers learn nothing about which paths exist.
  std::optional<RouteAccess> access = RouteAccess::kRead;
  if (route != nullptr) access = AccessFor(route->method, route->pattern);
  if (access == RouteAccess::kHealth) return verdict;
  const bool probe = access == RouteAccess::kReadiness;
  const std::int64_t default_limit = options_.rate_limit.default_limit;

  if (access == RouteAccess::kSignIn) {
    // Anonymous, so charged to the address: a sign-in cannot guess keys
    // faster than any request. No other site's page may sign a browser in.
    if (ChargeAnonymous(request, verdict)) CheckOrigin(request, verdict);
    return verdict;
  }
  if (!AuthenticationOn() || (access && IsOpen(*access, options_))) {
    if (!probe) ChargeAnonymous(request, verdict);
    return verdict;
  }

  std::optional<Identity> identity = Authenticate(request, verdict);
  if (!identity) return verdict;
  const AuthenticatedKey& key = identity->key;
  if (!probe && !Charge("key:" + key.name, key.rate_limit.value_or(default_limit), verdict)) return verdict;
  if (identity->session && IsChange(request.method) && !CheckCsrf(request, *identity, verdict)) return verdict;

  // A route missing from the access table is for admins only (fail closed).
  const core::Role needed = access ? RequiredRole(*access) : core::Role::kAdmin;
  if (!core::RoleAllows(key.role, needed)) {
    verdict.refusal = ProblemResponse(core::Error::PermissionDenied(
        "API key '" + key.name + "' has role " + std::string(core::ToString(key.role)) + "; " + request.method + " " +
        (route != nullptr ? route->pattern : request.path) + " needs " + std::string(core::ToString(needed))));
    verdict.refusal->SetHeader("WWW-Authenticate", "Bearer realm=\"jobsched\", error=\"insufficient_scope\"");
    return verdict;
  }
  request.caller.key_name = key.name;
  request.caller.key_id = key.id;
  request.caller.home_namespace = key.namespace_name;
  request.caller.all_namespaces = key.role == core::Role::kAdmin;
  request.caller.admin = key.role == core::Role::kAdmin;
  request.caller.role = key.role;
  request.caller.key_expires_at = key.expires_at;
  request.caller.session = std::move(identity->session);
  return verdict;
}

}  // namespace jobsched::api
