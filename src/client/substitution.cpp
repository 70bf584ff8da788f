#include "client/substitution.hpp"

#include <cstdlib>

namespace jobsched::client {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool IsName(std::string_view name) {
  if (name.empty() || !IsNameStart(name.front())) return false;
  for (const char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

}  // namespace

VariableLookup EnvironmentLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

core::Result<std::string> SubstituteVariables(std::string_view text, const VariableLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 2;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i];
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return core::Error::InvalidArgument("${", "'${' without a closing '}' (write $${ for a literal ${)");
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    if (!IsName(name)) {
      return core::Error::InvalidArgument(name, "'${" + name.substr(0, 64) +
                                                    "}' is not a variable name (letters, digits and _, "
                                                    "not starting with a digit)");
    }
    const std::optional<std::string> value = lookup(name);
    if (!value) return core::Error::InvalidArgument(name, "environment variable " + name + " is not set");
    out += *value;
    i = close;
  }
  return out;
}

}  // namespace jobsched::client
