#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "core/api_key.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/api_key_store.hpp"

namespace jobsched::app {

// `jobsched keys create`: what the flags asked for, unchecked.
struct NewKeyRequest {
  std::string name;
  std::string role;                                       // read | write | admin
  std::string namespace_name = "default";                 // --namespace
  std::optional<std::int64_t> rate_limit = std::nullopt;  // --rate-limit; nullopt: the service's default
  std::optional<std::string> expires_in = std::nullopt;   // --expires-in: a duration ("90d"); nullopt: never
};

// A key as created: the stored record and its token, which exists nowhere
// else (only its SHA-256 is stored) and must be shown to the operator now.
struct CreatedKey {
  core::ApiKey key;
  std::string token;
};

// Checks `request` (name and namespace per ValidateIdentifier, a known role,
// a rate limit of 0-1000000, a duration until expiry), makes a token and
// stores the key, expiring that long after `clock`'s now. kConflict
// when the name is taken (also by a revoked key).
core::Result<CreatedKey> CreateKey(store::ApiKeyStore& store, const core::Clock& clock, const NewKeyRequest& request);

// `jobsched keys list`: one line per key (revoked ones included), in columns
// NAME ROLE NAMESPACE RATE_LIMIT CREATED EXPIRES REVOKED, under a header line.
// Never shows a token or its hash.
std::string FormatKeyTable(const std::vector<core::ApiKey>& keys);

// The key store of the database `config.db` names (SQLite or PostgreSQL),
// migrated to this build's schema, for the `jobsched keys` commands.
core::Result<std::shared_ptr<store::ApiKeyStore>> OpenKeyStore(const Config& config);

}  // namespace jobsched::app
