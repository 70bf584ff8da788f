#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/new_key.hpp"
#include "app/config.hpp"
#include "core/api_key.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/api_key_store.hpp"

namespace jobsched::app {

// `jobsched keys create`: what the flags asked for, unchecked (shared with
// POST /keys, which checks it the same way).
using NewKeyRequest = api::NewKeyRequest;

// A key as created: the stored record and its token, which exists nowhere
// else (only its SHA-256 is stored) and must be shown to the operator now.
using CreatedKey = api::NewKey;

// Checks `request` as api::PrepareKey does (errors name the flags:
// rate-limit, expires-in), makes a token and stores the key, expiring that
// long after `clock`'s now. kConflict when the name is taken (also by a
// revoked key).
core::Result<CreatedKey> CreateKey(store::ApiKeyStore& store, const core::Clock& clock, const NewKeyRequest& request);

// The audit context of a `jobsched keys` change at `now`: actor `local` (the
// command works on the database, with no key), no address or request id,
// the key described as GET /keys shows it.
store::AuditContext KeyCommandAudit(core::TimePoint now);

// `jobsched keys list`: one line per key (revoked ones included), in columns
// NAME ROLE NAMESPACE RATE_LIMIT CREATED EXPIRES REVOKED, under a header line.
// Never shows a token or its hash.
std::string FormatKeyTable(const std::vector<core::ApiKey>& keys);

// The key store of the database `config.db` names (SQLite or PostgreSQL),
// migrated to this build's schema, for the `jobsched keys` commands.
core::Result<std::shared_ptr<store::ApiKeyStore>> OpenKeyStore(const Config& config);

}  // namespace jobsched::app
