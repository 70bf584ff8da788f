#include "api/access_policy.hpp"

#include <gtest/gtest.h>

#include "api/api.hpp"
#include "api/session_manager.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "telemetry/metrics.hpp"
#include "testing/fake_clock.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

TEST(AccessPolicy, KnowsEveryRouteTheApiRegisters) {
  jobsched::testing::TempDir dir;
  auto store = store::sqlite::SqliteJobStore::Open({.path = dir.File("jobs.db")});
  ASSERT_TRUE(store.ok());
  jobsched::testing::FakeClock clock(jobsched::testing::At("2026-11-27T10:00:00Z"));
  telemetry::Metrics metrics;
  SessionManager sessions(**store, clock);
  ApiOptions options;
  options.metrics = &metrics;
  options.sessions = &sessions;
  options.api_keys = store->get();
  options.nodes = store->get();
  options.audit = store->get();
  options.alerts = store->get();
  Api api(**store, clock, std::move(options));

  for (const Router::Route& route : api.router().Routes()) {
    EXPECT_TRUE(AccessFor(route.method, route.pattern).has_value())
        << route.method << " " << route.pattern << " has no access rule in access_policy.cpp";
  }
}

TEST(AccessPolicy, ReadingNeedsReadChangingNeedsWriteAndKeysNeedAdmin) {
  struct Case {
    const char* method;
    const char* pattern;
    RouteAccess access;
  };
  const Case cases[] = {
      {"GET", "/jobs", RouteAccess::kRead},
      {"HEAD", "/jobs", RouteAccess::kRead},
      {"GET", "/jobs/{id}", RouteAccess::kRead},
      {"GET", "/jobs/{id}/runs", RouteAccess::kRead},
      {"GET", "/runs", RouteAccess::kRead},
      {"GET", "/runs/{id}", RouteAccess::kRead},
      {"GET", "/runs/{id}/attempts", RouteAccess::kRead},
      {"POST", "/schedules/preview", RouteAccess::kRead},
      {"POST", "/jobs", RouteAccess::kWrite},
      {"PATCH", "/jobs/{id}", RouteAccess::kWrite},
      {"DELETE", "/jobs/{id}", RouteAccess::kWrite},
      {"POST", "/jobs/{id}/pause", RouteAccess::kWrite},
      {"POST", "/jobs/{id}/resume", RouteAccess::kWrite},
      {"POST", "/jobs/{id}/trigger", RouteAccess::kWrite},
      {"POST", "/jobs/{id}/backfill", RouteAccess::kWrite},
      {"POST", "/jobs/{id}/runs/{run_id}/cancel", RouteAccess::kWrite},
      {"GET", "/healthz", RouteAccess::kHealth},
      {"GET", "/readyz", RouteAccess::kReadiness},
      {"GET", "/metrics", RouteAccess::kMetrics},
      {"GET", "/openapi.json", RouteAccess::kDocs},
      {"GET", "/docs/{file}", RouteAccess::kDocs},
      {"GET", "/", RouteAccess::kConsole},
      {"GET", "/ui/jobs/{id}", RouteAccess::kConsole},
      {"GET", "/ui/assets/{version}/{file}", RouteAccess::kConsole},
      {"POST", "/sessions", RouteAccess::kSignIn},
      {"GET", "/session", RouteAccess::kRead},
      {"DELETE", "/session", RouteAccess::kRead},
      {"GET", "/nodes", RouteAccess::kRead},
      {"GET", "/keys", RouteAccess::kAdmin},
      {"POST", "/keys", RouteAccess::kAdmin},
      {"DELETE", "/keys/{name}", RouteAccess::kAdmin},
      {"GET", "/about", RouteAccess::kAdmin},
  };

  for (const Case& c : cases) {
    EXPECT_EQ(AccessFor(c.method, c.pattern), c.access) << c.method << " " << c.pattern;
  }
}

TEST(AccessPolicy, KnowsNothingItWasNotToldAbout) {
  EXPECT_EQ(AccessFor("PUT", "/jobs/{id}"), std::nullopt);
  EXPECT_EQ(AccessFor("GET", "/jobs/7"), std::nullopt);
  EXPECT_EQ(AccessFor("GET", "/admin"), std::nullopt);
}

TEST(AccessPolicy, TheRoleARouteNeeds) {
  EXPECT_EQ(RequiredRole(RouteAccess::kRead), core::Role::kRead);
  EXPECT_EQ(RequiredRole(RouteAccess::kMetrics), core::Role::kRead);
  EXPECT_EQ(RequiredRole(RouteAccess::kDocs), core::Role::kRead);
  EXPECT_EQ(RequiredRole(RouteAccess::kWrite), core::Role::kWrite);
  EXPECT_EQ(RequiredRole(RouteAccess::kAdmin), core::Role::kAdmin);
}

}  // namespace
}  // namespace jobsched::api
