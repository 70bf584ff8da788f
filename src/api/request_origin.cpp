#include "api/request_origin.hpp"

#include <cctype>

namespace jobsched::api {
namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// "scheme://host[:port]" with the scheme's default port left out, as
// browsers write Origin; "" when `scheme` or `authority` cannot be one.
std::string Normalized(std::string_view scheme, std::string_view authority) {
  if ((scheme != "http" && scheme != "https") || authority.empty()) return {};
  for (const char c : authority) {
    // Host names, IPv4, [IPv6] and a port: nothing else belongs in an origin.
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') {
      return {};
    }
  }
  std::string host = Lowercase(authority);
  const std::string_view default_port = scheme == "https" ? ":443" : ":80";
  if (host.size() > default_port.size() && host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  return std::string(scheme) + "://" + host;
}

}  // namespace

bool CameOverTls(const HttpRequest& request, const TrustedProxies& proxies) {
  return proxies.ForwardedOverTls(request.remote_address, request.HeaderValues("X-Forwarded-Proto"));
}

std::string OwnOrigin(const HttpRequest& request, const TrustedProxies& proxies) {
  return Normalized(CameOverTls(request, proxies) ? "https" : "http", request.Header("Host"));
}

bool IsOwnOrigin(std::string_view origin, const HttpRequest& request, const TrustedProxies& proxies) {
  const std::size_t separator = origin.find("://");
  if (separator == std::string_view::npos) return false;
  const std::string scheme = Lowercase(origin.substr(0, separator));
  const std::string theirs = Normalized(scheme, origin.substr(separator + 3));
  const std::string ours = OwnOrigin(request, proxies);
  return !theirs.empty() && theirs == ours;
}

}  // namespace jobsched::api
