#include "api/access_policy.hpp"

#include <array>

namespace jobsched::api {
namespace {

struct Rule {
  std::string_view method;
  std::string_view pattern;
  RouteAccess access;
};

// Every route Api registers (tests/api/access_policy_test.cpp checks that).
constexpr std::array<Rule, 54> kRules{{
    {"GET", "/jobs", RouteAccess::kRead},
    {"POST", "/jobs", RouteAccess::kWrite},
    {"POST", "/jobs/bulk", RouteAccess::kWrite},
    {"GET", "/jobs/{id}", RouteAccess::kRead},
    {"PATCH", "/jobs/{id}", RouteAccess::kWrite},
    {"DELETE", "/jobs/{id}", RouteAccess::kWrite},
    {"POST", "/jobs/{id}/pause", RouteAccess::kWrite},
    {"POST", "/jobs/{id}/resume", RouteAccess::kWrite},
    {"POST", "/jobs/{id}/trigger", RouteAccess::kWrite},
    {"POST", "/jobs/{id}/backfill", RouteAccess::kWrite},
    {"POST", "/jobs/{id}/runs/{run_id}/cancel", RouteAccess::kWrite},
    {"GET", "/jobs/{id}/runs", RouteAccess::kRead},
    {"GET", "/jobs/{id}/next", RouteAccess::kRead},
    {"GET", "/jobs/{id}/history", RouteAccess::kRead},
    {"GET", "/audit", RouteAccess::kAdmin},
    {"GET", "/runs", RouteAccess::kRead},
    {"GET", "/alerts", RouteAccess::kRead},
    {"GET", "/jobs/{id}/alerts", RouteAccess::kRead},
    {"GET", "/namespaces/{namespace}/alerts", RouteAccess::kRead},
    {"PUT", "/namespaces/{namespace}/alerts", RouteAccess::kWrite},
    {"DELETE", "/namespaces/{namespace}/alerts", RouteAccess::kWrite},
    {"POST", "/runs/bulk", RouteAccess::kWrite},
    {"GET", "/events", RouteAccess::kRead},
    {"GET", "/runs/{id}", RouteAccess::kRead},
    {"GET", "/runs/{id}/attempts", RouteAccess::kRead},
    {"POST", "/schedules/preview", RouteAccess::kRead},
    {"GET", "/stats", RouteAccess::kRead},
    {"POST", "/sessions", RouteAccess::kSignIn},
    {"GET", "/session", RouteAccess::kRead},
    {"DELETE", "/session", RouteAccess::kRead},  // signing out of one's own session
    {"GET", "/keys", RouteAccess::kAdmin},
    {"POST", "/keys", RouteAccess::kAdmin},
    {"DELETE", "/keys/{name}", RouteAccess::kAdmin},
    {"GET", "/nodes", RouteAccess::kRead},
    {"GET", "/about", RouteAccess::kAdmin},
    {"GET", "/healthz", RouteAccess::kHealth},
    {"GET", "/readyz", RouteAccess::kReadiness},
    {"GET", "/metrics", RouteAccess::kMetrics},
    {"GET", "/openapi.json", RouteAccess::kDocs},
    {"GET", "/openapi.yaml", RouteAccess::kDocs},
    {"GET", "/docs", RouteAccess::kDocs},
    {"GET", "/docs/{file}", RouteAccess::kDocs},
    {"GET", "/swagger", RouteAccess::kDocs},  // a redirect to /docs
    {"GET", "/", RouteAccess::kConsole},      // a redirect to /ui/
    {"GET", "/ui", RouteAccess::kConsole},
    {"GET", "/ui/jobs", RouteAccess::kConsole},
    {"GET", "/ui/jobs/new", RouteAccess::kConsole},
    {"GET", "/ui/jobs/{id}", RouteAccess::kConsole},
    {"GET", "/ui/jobs/{id}/edit", RouteAccess::kConsole},
    {"GET", "/ui/runs", RouteAccess::kConsole},
    {"GET", "/ui/runs/{id}", RouteAccess::kConsole},
    {"GET", "/ui/admin", RouteAccess::kConsole},
    {"GET", "/ui/signin", RouteAccess::kConsole},
    {"GET", "/ui/assets/{version}/{file}", RouteAccess::kConsole},
}};

}  // namespace

std::optional<RouteAccess> AccessFor(std::string_view method, std::string_view pattern) {
  if (method == "HEAD") method = "GET";
  for (const Rule& rule : kRules) {
    if (rule.method == method && rule.pattern == pattern) return rule.access;
  }
  return std::nullopt;
}

core::Role RequiredRole(RouteAccess access) {
  switch (access) {
    case RouteAccess::kWrite: return core::Role::kWrite;
    case RouteAccess::kAdmin: return core::Role::kAdmin;
    case RouteAccess::kHealth:
    case RouteAccess::kReadiness:
    case RouteAccess::kMetrics:
    case RouteAccess::kDocs:
    case RouteAccess::kConsole:
    case RouteAccess::kSignIn:
    case RouteAccess::kRead: return core::Role::kRead;
  }
  return core::Role::kAdmin;
}

}  // namespace jobsched::api
