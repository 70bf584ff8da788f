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
// and its docs and the console. An address
// that listens on every interface (0.0.0.0, ::) is shown as loopback, which
// is how one reaches it from the same machine. Empty without the api role.
std::vector<ServiceUrl> ServiceUrls(const Config& config, std::uint16_t port);

// Where others reach the service, for links in alert messages: public_url
// without a trailing slash; else the listen address when it names one host
// and port ("http://10.0.0.5:8000"); else empty (no link), since 0.0.0.0
// or a port picked at start say nothing of how others reach it.
std::string PublicBaseUrl(const Config& config);

}  // namespace jobsched::app
