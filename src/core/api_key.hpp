#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/job_namespace.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// What an API key may do. Each role includes the ones before it:
//   read   read jobs, runs and schedule previews of its namespace
//   write  also create, change, pause, resume, trigger, cancel and delete
//          jobs of its namespace (and cancel their runs)
//   admin  all of that, in every namespace
enum class Role { kRead, kWrite, kAdmin };

std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);

// Whether a key of role `held` may do what needs `needed`.
inline bool RoleAllows(Role held, Role needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

constexpr std::size_t kMaxKeyNameLength = 64;

// A key name follows the namespace rules (ValidateIdentifier), so
// `jobsched keys revoke NAME` never needs quoting. Fails naming "name".
Result<void> ValidateKeyName(std::string_view name);

// An API key as stored. The token itself is never stored, only its SHA-256.
struct ApiKey {
  std::int64_t id = 0;  // assigned by the store
  std::string name;     // unique, also among revoked keys
  Role role = Role::kRead;
  // The namespace a read or write key is confined to; for an admin key, where
  // the jobs it creates go when the request names none.
  std::string namespace_name{kDefaultNamespace};
  std::string token_hash;  // 64 lower-case hex digits: the SHA-256 of the whole token
  // Requests per rate-limit window for this key: nullopt for the service's
  // default (--rate-limit), 0 for no limit.
  std::optional<std::int64_t> rate_limit;
  TimePoint created_at;
  std::optional<TimePoint> revoked_at;  // a revoked key authenticates nothing
  std::optional<TimePoint> expires_at;  // from then on it authenticates nothing; nullopt: never
};

// Whether a key that expires at `expires_at` has expired at `now`.
inline bool KeyExpired(const std::optional<TimePoint>& expires_at, TimePoint now) {
  return expires_at.has_value() && now >= *expires_at;
}

}  // namespace jobsched::core
