#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace jobsched::app {

// One place a person can reach once `serve` listens.
struct ServiceUrl {
  std::string what;  // "API", "docs"
  std::string url;
};

// Where the service's parts are, for the first lines `serve` logs: the API
// and its docs (the console joins them at /ui/ once it exists). An address
// that listens on every interface (0.0.0.0, ::) is shown as loopback, which
// is how one reaches it from the same machine. Empty without the api role.
std::vector<ServiceUrl> ServiceUrls(const Config& config, std::uint16_t port);

}  // namespace jobsched::app
