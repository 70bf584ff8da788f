#include "app/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

#include "app/redaction.hpp"
#include "store/postgres/pg_url.hpp"

namespace jobsched::app {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  unsigned char bytes[16];
  if (inet_pton(AF_INET, host.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), bytes) == 1) {
    static constexpr unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(bytes, bytes + 16, kLoopback);
  }
  return false;
}

core::Result<Roles> ParseRoles(const std::string& text) {
  Roles roles;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view role = std::string_view(text).substr(start, comma - start);
    if (role == "api") {
      roles.api = true;
    } else if (role == "scheduler") {
      roles.scheduler = true;
    } else if (role == "executor") {
      roles.executor = true;
    } else {
      return core::Error::InvalidArgument("roles", "'" + std::string(role) +
                                                       "' is not a role; use api, scheduler and executor, "
                                                       "comma-separated");
    }
    start = comma + 1;
  }
  return roles;
}

core::Result<ListenAddress> ParseListenAddress(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return core::Error::InvalidArgument("listen", "expected HOST:PORT, got '" + text + "'");
  }
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  unsigned port = 0;
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  const auto [last, error] = std::from_chars(begin, end, port);
  if (error != std::errc() || last != end || port > 65535) {
    return core::Error::InvalidArgument("listen", "port must be 0-65535, got '" + text.substr(colon + 1) + "'");
  }
  address.port = static_cast<std::uint16_t>(port);
  return address;
}

std::string FormatListenAddress(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

std::string FormatRoles(const Roles& roles) {
  std::string text;
  for (const auto& [on, name] :
       {std::pair{roles.api, "api"}, std::pair{roles.scheduler, "scheduler"}, std::pair{roles.executor, "executor"}}) {
    if (on) text += (text.empty() ? "" : ",") + std::string(name);
  }
  return text;
}

core::Result<DatabaseUrl> ParseDatabaseUrl(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    // Accept sqlite:///abs/path and sqlite://rel/path as well as sqlite:path.
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty())
      return core::Error::InvalidArgument("db", "sqlite: needs a file path, e.g. sqlite:./data/jobsched.db");
    return DatabaseUrl{DatabaseUrl::Kind::kSqlite, path};
  }
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (url.rfind(scheme, 0) == 0) {
      // libpq checks the rest when it connects, and says what it disliked.
      if (url.size() == scheme.size()) {
        return core::Error::InvalidArgument("db", "expected postgresql://USER@HOST[:PORT]/DATABASE, got '" + url + "'");
      }
      // What libpq would misread (an unencoded '@' in the password) is refused
      // here: its error messages would quote part of the password.
      if (auto checked = store::postgres::CheckPostgresUrl(url); !checked) return checked.error();
      return DatabaseUrl{DatabaseUrl::Kind::kPostgres, url};
    }
  }
  return core::Error::InvalidArgument(
      "db", "expected sqlite:PATH or postgresql://USER@HOST[:PORT]/DATABASE, got '" + RedactSecrets(url) + "'");
}

std::string FormatDatabaseUrl(const DatabaseUrl& url) {
  return url.kind == DatabaseUrl::Kind::kSqlite ? "sqlite:" + url.location : url.location;
}

LogFormat ResolveLogFormat(LogFormat format, bool stderr_is_terminal) {
  if (format != LogFormat::kAuto) return format;
  return stderr_is_terminal ? LogFormat::kText : LogFormat::kJson;
}

}  // namespace jobsched::app
