#include "core/api_key.hpp"

#include "core/enum_names.hpp"
#include "core/identifier.hpp"

namespace jobsched::core {
namespace {

constexpr EnumNames<Role, 3> kRoleNames{{{Role::kRead, "read"}, {Role::kWrite, "write"}, {Role::kAdmin, "admin"}}};

}  // namespace

std::string_view ToString(Role role) { return NameOf(kRoleNames, role); }

std::optional<Role> ParseRole(std::string_view text) { return ValueOf(kRoleNames, text); }

Result<void> ValidateKeyName(std::string_view name) {
  return ValidateIdentifier(name, "name", "a key name", kMaxKeyNameLength);
}

}  // namespace jobsched::core
