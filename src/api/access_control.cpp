#include "api/access_control.hpp"

#include "api/problem.hpp"

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

bool IsOpen(RouteAccess access, const AccessOptions& options) {
  switch (access) {
    case RouteAccess::kHealth: return true;
    case RouteAccess::kReadiness: return options.public_readyz;
    case RouteAccess::kMetrics: return options.public_metrics;
    case RouteAccess::kDocs: return options.public_docs;
    // The console must load before anyone can sign in; it holds no data.
    case RouteAccess::kConsole: return true;
    case RouteAccess::kRead:
    case RouteAccess::kWrite: return false;
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

AccessControl::Verdict AccessControl::Check(HttpRequest& request, const Router::Route* route) const {
  Verdict verdict;
  request.caller = Caller{};
  // A path no route has needs a key all the same (when keys are on), so
  // that unauthenticated callers learn nothing about which paths exist.
  std::optional<RouteAccess> access = RouteAccess::kRead;
  if (route != nullptr) access = AccessFor(route->method, route->pattern);
  if (access == RouteAccess::kHealth) return verdict;
  const bool probe = access == RouteAccess::kReadiness;
  const std::int64_t default_limit = options_.rate_limit.default_limit;

  if (!AuthenticationOn() || (access && IsOpen(*access, options_))) {
    if (!probe) ChargeAnonymous(request, verdict);
    return verdict;
  }

  const std::optional<std::string_view> token = BearerToken(request.Header("Authorization"));
  std::optional<AuthenticatedKey> key;
  if (token && options_.keys != nullptr) key = options_.keys->Find(*token);
  if (!key || core::KeyExpired(key->expires_at, clock_.Now())) {
    if (ChargeAnonymous(request, verdict)) {
      verdict.refusal = Unauthenticated(token.has_value(), key ? key->expires_at : std::nullopt);
    }
    return verdict;
  }
  if (!probe && !Charge("key:" + key->name, key->rate_limit.value_or(default_limit), verdict)) return verdict;

  // A route missing from the access table is for admins only (fail closed).
  const core::Role needed = access ? RequiredRole(*access) : core::Role::kAdmin;
  if (!core::RoleAllows(key->role, needed)) {
    verdict.refusal = ProblemResponse(core::Error::PermissionDenied(
        "API key '" + key->name + "' has role " + std::string(core::ToString(key->role)) + "; " + request.method + " " +
        (route != nullptr ? route->pattern : request.path) + " needs " + std::string(core::ToString(needed))));
    verdict.refusal->SetHeader("WWW-Authenticate", "Bearer realm=\"jobsched\", error=\"insufficient_scope\"");
    return verdict;
  }
  request.caller.key_name = key->name;
  request.caller.home_namespace = key->namespace_name;
  request.caller.all_namespaces = key->role == core::Role::kAdmin;
  request.caller.admin = key->role == core::Role::kAdmin;
  return verdict;
}

}  // namespace jobsched::api
