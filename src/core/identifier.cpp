#include "core/identifier.hpp"

#include <string>

namespace jobsched::core {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

Result<void> ValidateIdentifier(std::string_view text, std::string_view field, std::string_view what,
                                std::size_t max_length) {
  const std::string name(field);
  const std::string prefix = name + ": " + std::string(what);
  if (text.empty() || text.size() > max_length) {
    return Error::InvalidArgument(name, prefix + " must be 1 to " + std::to_string(max_length) + " characters");
  }
  if (!IsLowerAlnum(text.front())) {
    return Error::InvalidArgument(name, prefix + " must start with a lower-case letter or a digit");
  }
  for (const char c : text) {
    if (!IsLowerAlnum(c) && c != '-' && c != '_' && c != '.') {
      return Error::InvalidArgument(name, prefix + " may only contain lower-case letters, digits, '-', '_' and '.'");
    }
  }
  return Ok();
}

}  // namespace jobsched::core
