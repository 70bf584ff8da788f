#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/api_key.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::api {

// A key someone asked for, unchecked: the flags of `jobsched keys create`,
// or the body of POST /keys.
struct NewKeyRequest {
  std::string name;
  std::string role;                                       // read | write | admin
  std::string namespace_name = "default";                 // where its jobs go; read and write keys see only it
  std::optional<std::int64_t> rate_limit = std::nullopt;  // nullopt: the service's default; 0: none
  std::optional<std::string> expires_in = std::nullopt;   // a duration ("90d"); nullopt: never
};

// What the fields are called where the request came from, so that an error
// names the one its sender typed: the API's members or the command's flags.
struct NewKeyFieldNames {
  std::string_view role;
  std::string_view rate_limit;
  std::string_view expires_in;
};
inline constexpr NewKeyFieldNames kKeyMembers{"role", "rate_limit", "expires_in"};
inline constexpr NewKeyFieldNames kKeyFlags{"role", "rate-limit", "expires-in"};

// A key ready to store, and its token, which exists nowhere else (only its
// SHA-256 is stored) and must be shown to whoever asked now.
struct NewKey {
  core::ApiKey key;
  std::string token;
};

constexpr std::int64_t kMaxKeyRateLimit = 1000000;

// Checks `request` (name and namespace per ValidateIdentifier, a known role,
// a rate limit of 0-1000000, a duration until expiry) and makes a token: the
// key created at `now`, expiring that long after. kInvalidArgument naming
// the field (as `names` calls it); kInternal when no random token can be
// made. Stores nothing: the caller does (ApiKeyStore::CreateApiKey).
core::Result<NewKey> PrepareKey(const NewKeyRequest& request, core::TimePoint now,
                                const NewKeyFieldNames& names = kKeyMembers);

}  // namespace jobsched::api
