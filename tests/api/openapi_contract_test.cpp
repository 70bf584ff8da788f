// docs/openapi.yaml is the contract: every route the server registers is in
// it, and every operation in it is a route the server registers.
#include "api/openapi_document.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include <boost/json/parse.hpp>

#include "api/access_policy.hpp"
#include "api/api.hpp"
#include "api/session_manager.hpp"
#include "core/task_kind.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "telemetry/metrics.hpp"
#include "testing/fake_clock.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using Operations = std::set<std::string>;  // "GET /jobs/{id}"

Operations SpecOperations() {
  Operations operations;
  const auto document = boost::json::parse(OpenApiJson()).as_object();
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == "PARAMETERS" || upper == "SUMMARY" || upper == "DESCRIPTION") continue;
      operations.insert(upper + " " + std::string(path));
    }
  }
  return operations;
}

Operations ServerOperations() {
  jobsched::testing::TempDir dir;
  auto store = store::sqlite::SqliteJobStore::Open({.path = dir.File("jobs.db")});
  EXPECT_TRUE(store.ok());
  jobsched::testing::FakeClock clock(jobsched::testing::At("2026-11-27T10:00:00Z"));
  telemetry::Metrics metrics;  // with metrics, as the service runs: GET /metrics is registered
  SessionManager sessions(**store, clock);
  ApiOptions options;
  options.metrics = &metrics;
  options.sessions = &sessions;
  options.api_keys = store->get();
  options.nodes = store->get();
  options.audit = store->get();
  options.alerts = store->get();
  Api api(**store, clock, std::move(options));
  Operations operations;
  for (const Router::Route& route : api.router().Routes()) operations.insert(route.method + " " + route.pattern);
  return operations;
}

TEST(OpenApiContract, EveryRegisteredRouteIsInTheSpec) {
  const Operations spec = SpecOperations();

  for (const std::string& operation : ServerOperations()) {
    EXPECT_TRUE(spec.count(operation)) << operation << " is served but missing from docs/openapi.yaml";
  }
}

TEST(OpenApiContract, EveryOperationInTheSpecIsServed) {
  const Operations served = ServerOperations();

  for (const std::string& operation : SpecOperations()) {
    EXPECT_TRUE(served.count(operation)) << operation << " is in docs/openapi.yaml but not served";
  }
}

// What docs/openapi.yaml must say about an operation of `access` with
// `method`: its security requirements ("" for anonymous, else the role) and
// the statuses authentication and rate limits add. A change (any method but
// GET) made with the console's session cookie may also get 403 for a
// missing CSRF token or another site's Origin.
struct SecurityContract {
  std::set<std::string> security;
  std::set<std::string> statuses;
};

SecurityContract ExpectedSecurity(RouteAccess access, std::string_view method) {
  const bool change = method != "GET";
  switch (access) {
    case RouteAccess::kHealth: return {{}, {}};
    case RouteAccess::kReadiness: return {{"", "read"}, {"401"}};
    case RouteAccess::kDocs: return {{"", "read"}, {"401", "429"}};
    case RouteAccess::kConsole: return {{""}, {"429"}};
    case RouteAccess::kSignIn: return {{""}, {"401", "403", "429"}};
    case RouteAccess::kMetrics:
    case RouteAccess::kRead:
      if (change) return {{"read"}, {"401", "403", "429"}};
      return {{"read"}, {"401", "429"}};
    case RouteAccess::kWrite: return {{"write"}, {"401", "403", "429"}};
    case RouteAccess::kAdmin: return {{"admin"}, {"401", "403", "429"}};
  }
  return {};
}

TEST(OpenApiContract, EveryOperationDocumentsTheAccessTheServerEnforces) {
  const auto document = boost::json::parse(OpenApiJson()).as_object();

  std::size_t checked = 0;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, value] : item.as_object()) {
      if (!value.is_object() || !value.as_object().contains("responses")) continue;
      ++checked;
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string name = upper + " " + std::string(path);
      const auto access = AccessFor(upper, std::string(path));
      ASSERT_TRUE(access.has_value()) << name;
      const SecurityContract expected = ExpectedSecurity(*access, upper);
      const auto& operation = value.as_object();

      ASSERT_TRUE(operation.contains("security")) << name << " has no security requirement";
      std::set<std::string> security;
      for (const auto& requirement : operation.at("security").as_array()) {
        const auto& schemes = requirement.as_object();
        if (schemes.empty()) security.insert("");
        if (schemes.contains("bearerAuth")) {
          for (const auto& role : schemes.at("bearerAuth").as_array()) security.insert(std::string(role.as_string()));
        }
      }
      EXPECT_EQ(security, expected.security) << name;
      const auto& responses = operation.at("responses").as_object();
      for (const char* status : {"401", "403", "429"}) {
        EXPECT_EQ(responses.contains(status), expected.statuses.count(status) == 1) << name << " " << status;
      }
    }
  }
  EXPECT_GE(checked, 20u) << "the document's operations were not found: the loop above checked nothing";
}

TEST(OpenApiContract, TheEmbeddedYamlAndJsonAreTheSameDocument) {
  EXPECT_NE(OpenApiYaml().find("openapi: 3.1"), std::string_view::npos);
  const auto document = boost::json::parse(OpenApiJson()).as_object();
  const std::string version(document.at("openapi").as_string());
  EXPECT_EQ(version.substr(0, 3), "3.1");

  // The same paths in both: in the YAML, each is a key indented by two
  // spaces ("  /jobs/{id}:") under `paths:`.
  std::set<std::string> yaml_paths;
  const std::string_view yaml = OpenApiYaml();
  std::size_t start = 0;
  while (start < yaml.size()) {
    const std::size_t end = std::min(yaml.find('\n', start), yaml.size());
    const std::string_view line = yaml.substr(start, end - start);
    if (line.size() >= 4 && line.substr(0, 3) == "  /" && line.back() == ':') {
      yaml_paths.emplace(line.substr(2, line.size() - 3));
    }
    start = end + 1;
  }
  std::set<std::string> json_paths;
  for (const auto& [path, item] : document.at("paths").as_object()) json_paths.emplace(path);
  EXPECT_FALSE(json_paths.empty());
  EXPECT_EQ(yaml_paths, json_paths);
}

// The task kinds are one list in core: the spec's `type` filter, its Task
// union and its discriminator name exactly those kinds.
TEST(OpenApiContract, TheSpecNamesEveryTaskKindAndNoOther) {
  const auto document = boost::json::parse(OpenApiJson()).as_object();
  std::set<std::string> kinds;
  for (const core::TaskKind& kind : core::kTaskKinds) kinds.emplace(kind.name);

  std::set<std::string> filter;
  for (const auto& parameter : document.at("paths").at("/jobs").at("get").at("parameters").as_array()) {
    const auto& object = parameter.as_object();
    if (!object.contains("name") || object.at("name") != "type") continue;
    for (const auto& name : object.at("schema").at("enum").as_array()) filter.emplace(name.as_string());
  }
  std::set<std::string> mapped;
  const auto& task = document.at("components").at("schemas").at("Task").as_object();
  for (const auto& [name, target] : task.at("discriminator").at("mapping").as_object()) mapped.emplace(name);

  EXPECT_EQ(filter, kinds) << "GET /jobs ?type= enum";
  EXPECT_EQ(mapped, kinds) << "Task discriminator";
  EXPECT_EQ(task.at("oneOf").as_array().size(), kinds.size()) << "Task oneOf";
}

}  // namespace
}  // namespace jobsched::api
