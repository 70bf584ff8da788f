#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api/router.hpp"
#include "store/node_store.hpp"

namespace jobsched::api {

// What GET /about shows of the service, handed over by app as plain data
// (api knows nothing of the configuration): its version, its database, the
// roles this node runs and the effective settings, secrets already redacted.
struct AboutInfo {
  std::string version;
  std::string database;            // "sqlite" | "postgresql"
  std::vector<std::string> roles;  // of this node: api, scheduler, executor
  using SettingValue = std::variant<std::string, std::int64_t, bool>;
  std::vector<std::pair<std::string, SettingValue>> settings;  // key -> value, in the settings table's order
};

// The service as a whole:
//   GET /nodes  (read)  the cluster's nodes: [{"id", "alive_until", "running_runs"}]
//   GET /about  (admin) `about`, as JSON
// `nodes` must outlive the router.
void RegisterAboutHandlers(Router& router, store::NodeStore& nodes, const AboutInfo& about);

}  // namespace jobsched::api
