#include "api/session_cookie.hpp"

#include <string>

namespace jobsched::api {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string Attributes(bool secure) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string_view> CookieValue(const HttpRequest& request, std::string_view name) {
  for (std::string_view header : request.HeaderValues("Cookie")) {
    while (!header.empty()) {
      const std::size_t end = header.find(';');
      const std::string_view pair = Trim(header.substr(0, end));
      header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos || Trim(pair.substr(0, equals)) != name) continue;
      std::string_view value = Trim(pair.substr(equals + 1));
      // RFC 6265 allows the value in double quotes.
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return std::nullopt;
}

std::string SessionCookie(std::string_view id, bool secure) {
  return std::string(kSessionCookieName) + "=" + std::string(id) + Attributes(secure);
}

std::string ExpiredSessionCookie(bool secure) {
  return std::string(kSessionCookieName) + "=" + Attributes(secure) + "; Max-Age=0";
}

}  // namespace jobsched::api
