#pragma once

#include <optional>
#include <string_view>

#include "core/api_key.hpp"

namespace jobsched::api {

// Who may call a route, once authentication is on (see AccessControl).
enum class RouteAccess {
  kHealth,     // GET /healthz: always open, never rate limited
  kReadiness,  // GET /readyz: open unless --public-readyz=false; never rate limited
  kMetrics,    // GET /metrics: needs a key unless --public-metrics
  kDocs,       // the OpenAPI document and Swagger UI: open unless --public-docs=false
  kConsole,    // the web console's pages and files: always open (they hold no data), rate limited
  kSignIn,     // POST /sessions: open (it takes a key in its body), rate limited as anonymous
  kRead,       // reading jobs and runs, previewing schedules, one's own session, the nodes: any key
  kWrite,      // creating, changing, triggering, cancelling, deleting: write or admin
  kAdmin,      // API keys and the service's settings: admin keys only
};

// The access rule of a registered route (HEAD is asked as GET), or nullopt
// for a route the table does not know; the caller then allows admin keys
// only, and a test keeps the table complete.
//
// POST /schedules/preview is kRead: it computes dates and stores nothing.
// Besides the admin routes (keys, settings), what sets admin apart is
// reaching every namespace (see Caller).
std::optional<RouteAccess> AccessFor(std::string_view method, std::string_view pattern);

// The least role a key needs for a route of `access` when the route is not open.
core::Role RequiredRole(RouteAccess access);

}  // namespace jobsched::api
