#include "app/service_urls.hpp"

namespace jobsched::app {

std::vector<ServiceUrl> ServiceUrls(const Config& config, std::uint16_t port) {
  if (!config.roles.api) return {};
  std::string host = config.listen.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const std::string base = "http://" + host + ":" + std::to_string(port);
  return {{"API", base + "/jobs"},
          {"docs", base + "/docs (OpenAPI: " + base + "/openapi.json)"},
          {"console", base + "/ui/"}};
}

std::string PublicBaseUrl(const Config& config) {
  std::string url = config.public_url;
  if (!url.empty()) {
    while (url.back() == '/') url.pop_back();
    return url;
  }
  const std::string& host = config.listen.host;
  if (host == "0.0.0.0" || host == "::" || config.listen.port == 0) return "";
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + shown + ":" + std::to_string(config.listen.port);
}

}  // namespace jobsched::app
