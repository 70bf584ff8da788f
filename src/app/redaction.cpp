#include "app/redaction.hpp"

#include <array>
#include <cctype>

namespace jobsched::app {
namespace {

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Replaces the value of every `name=value` in `text` whose name is a secret's.
// Pairs end at any of `separators`.
std::string RedactPairs(std::string_view text, std::string_view separators) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find_first_of(separators, pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(pos, end - pos);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && IsSecretName(pair.substr(0, equals))) {
      out.append(pair.substr(0, equals + 1));
      out.append(kRedacted);
    } else {
      out.append(pair);
    }
    if (end == text.size()) break;
    out.push_back(text[end]);
    pos = end + 1;
  }
  return out;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  constexpr std::array<std::string_view, 7> kMarkers{"password",   "passwd",  "secret", "token",
                                                     "credential", "api_key", "apikey"};
  const std::string lower = Lowercase(name);
  for (std::string_view marker : kMarkers) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::string RedactSecrets(std::string_view text) {
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return RedactPairs(text, " \t");

  const std::size_t authority_begin = scheme_end + 3;
  std::size_t authority_end = text.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = text.size();
  std::string out(text.substr(0, authority_begin));
  const std::string_view authority = text.substr(authority_begin, authority_end - authority_begin);
  // The last '@' ends the userinfo: a password may contain an unescaped '@'.
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon + 1));
      out.append(kRedacted);
    } else {
      out.append(userinfo);
    }
    out.append(authority.substr(at));
  } else {
    out.append(authority);
  }

  const std::string_view rest = text.substr(authority_end);
  const std::size_t query = rest.find('?');
  if (query == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, query + 1));
  const std::string_view after = rest.substr(query + 1);
  const std::size_t fragment = after.find('#');
  out.append(RedactPairs(after.substr(0, fragment), "&;"));
  if (fragment != std::string_view::npos) out.append(after.substr(fragment));
  return out;
}

}  // namespace jobsched::app
