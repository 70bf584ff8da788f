// docs/openapi.yaml is the contract: every route the server registers is in
// it, and every operation in it is a route the server registers.
#include "api/openapi_document.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include <boost/json/parse.hpp>

#include "api/api.hpp"
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
  ApiOptions options;
  options.metrics = &metrics;
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

TEST(OpenApiContract, TheEmbeddedYamlAndJsonAreTheSameDocument) {
  EXPECT_NE(OpenApiYaml().find("openapi: 3.1"), std::string_view::npos);
  const std::string version(boost::json::parse(OpenApiJson()).as_object().at("openapi").as_string());
  EXPECT_EQ(version.substr(0, 3), "3.1");
}

}  // namespace
}  // namespace jobsched::api
