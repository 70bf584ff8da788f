#include "store/postgres/pg_url.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace jobsched::store::postgres {
namespace {

constexpr std::string_view kRedacted = "REDACTED";

core::Error Refused(std::string problem) {
  return core::Error::InvalidArgument(
      "db", "the PostgreSQL URL " + std::move(problem) + " (the URL is not shown: it may hold a password)");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Sets `rest` to what follows "scheme://"; false when there is no "://".
bool AfterScheme(std::string_view url, std::string_view& rest) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  rest = url.substr(scheme_end + 3);
  return true;
}

// "host[:port]" items of a comma-separated host list: ports must be numbers
// and IPv6 brackets closed. Quotes nothing back.
core::Result<void> CheckHosts(std::string_view hosts) {
  while (true) {
    const std::size_t comma = hosts.find(',');
    std::string_view host = hosts.substr(0, comma);
    if (!host.empty() && host.front() == '[') {
      const std::size_t close = host.find(']');
      if (close == std::string_view::npos) return Refused("has an IPv6 address without its closing ']'");
      host.remove_prefix(close + 1);
    }
    const std::size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      const std::string_view port = host.substr(colon + 1);
      if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Refused(
            "has a port that is not a number (a ':' in a user name or password without '@', or an unencoded "
            "'/', '?' or '#' in the password, reads as a port: percent-encode them as %2F, %3F, %23)");
      }
    }
    if (comma == std::string_view::npos) return core::Ok();
    hosts.remove_prefix(comma + 1);
  }
}

}  // namespace

core::Result<void> CheckPostgresUrl(std::string_view url) {
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto byte = static_cast<unsigned char>(url[i]);
    if (byte <= 0x20 || byte == 0x7f) return Refused("contains a space or control character: percent-encode it");
    if (url[i] == '%' && (i + 2 >= url.size() || HexValue(url[i + 1]) < 0 || HexValue(url[i + 2]) < 0)) {
      return Refused("has a '%' not followed by two hex digits: write a '%' in a password as %25");
    }
  }
  std::string_view rest;
  if (!AfterScheme(url, rest)) return Refused("does not start with postgresql://");
  // RFC 3986 ends the authority at the first '/', '?' or '#'; libpq ends the
  // user name and password at the first '@' before any '/'. Both readings
  // agree only without such characters in the password.
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::string_view before_path = rest.substr(0, rest.find('/'));
  const std::string_view base = rest.substr(0, rest.find_first_of("?#"));
  const std::string_view path = base.substr(std::min(base.find('/'), base.size()));
  const auto ats = std::count(authority.begin(), authority.end(), '@');
  if (ats > 1) {
    return Refused("has more than one '@' before the host: write an '@' in a user name or password as %40");
  }
  if (std::count(before_path.begin(), before_path.end(), '@') != ats) {
    return Refused(
        "has an '@' after a '?' or '#' (an unencoded '?' or '#' in the password?): percent-encode them "
        "as %3F, %23 and '@' as %40");
  }
  if (path.find('@') != std::string_view::npos) {
    return Refused(
        "has an '@' after a '/' (an unencoded '/' in the password?): percent-encode '/' as %2F and '@' as %40");
  }
  const std::size_t at = authority.find('@');
  return CheckHosts(at == std::string_view::npos ? authority : authority.substr(at + 1));
}

std::string RedactPostgresSecrets(std::string message, std::string_view url) {
  std::vector<std::string> secrets;
  auto add = [&secrets](std::string_view secret) {
    if (secret.empty()) return;
    secrets.emplace_back(secret);
    secrets.push_back(PercentDecoded(secret));
  };
  std::string_view rest;
  if (AfterScheme(url, rest)) {
    // The userinfo as the widest reading has it: up to the last '@' before the query.
    const std::string_view base = rest.substr(0, rest.find('?'));
    const std::size_t last_at = base.rfind('@');
    if (last_at != std::string_view::npos) {
      const std::string_view userinfo = base.substr(0, last_at);
      const std::size_t colon = userinfo.find(':');
      const std::string_view password =
          colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
      add(password);
      for (std::size_t at = userinfo.find('@'); at != std::string_view::npos; at = userinfo.find('@', at + 1)) {
        add(userinfo.substr(at + 1));  // what libpq takes for the start of the host
      }
    }
    // password=... among the parameters.
    const std::size_t query = rest.find('?');
    for (std::size_t pos = query; pos != std::string_view::npos;) {
      const std::size_t end = rest.find_first_of("&#", pos + 1);
      const std::string_view pair = rest.substr(pos + 1, end == std::string_view::npos ? end : end - pos - 1);
      const std::size_t equals = pair.find('=');
      if (equals != std::string_view::npos && PercentDecoded(pair.substr(0, equals)) == "password") {
        add(pair.substr(equals + 1));
      }
      pos = end != std::string_view::npos && rest[end] == '&' ? end : std::string_view::npos;
    }
  }
  // Longest first, so a secret containing another is replaced whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : secrets) {
    for (std::size_t found = message.find(secret); found != std::string::npos;
         found = message.find(secret, found + kRedacted.size())) {
      message.replace(found, secret.size(), kRedacted);
    }
  }
  return message;
}

}  // namespace jobsched::store::postgres
