#include "core/api_key.hpp"

#include "core/identifier.hpp"

namespace jobsched::core {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kRead: return "read";
    case Role::kWrite: return "write";
    case Role::kAdmin: return "admin";
  }
  return "read";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "read") return Role::kRead;
  if (text == "write") return Role::kWrite;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

Result<void> ValidateKeyName(std::string_view name) {
  return ValidateIdentifier(name, "name", "a key name", kMaxKeyNameLength);
}

}  // namespace jobsched::core
