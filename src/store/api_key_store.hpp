#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/api_key.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "store/audit_context.hpp"

namespace jobsched::store {

// Where API keys live: the same database as the jobs, so every node of a
// cluster sees the same keys. `jobsched keys` writes them; the service reads
// them into a cache (api::ApiKeyCache). Every method is safe to call from
// any thread; writes answer after their commit, on a store thread.
class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  // Both writes record an audit entry in their transaction when `audit` is
  // given (key.created, key.revoked; a revocation of a revoked key none).
  // Inserts `key` (its id is assigned here) and answers with the stored key.
  // kConflict when a key of that name (revoked or not) or with that token
  // hash exists already.
  virtual void CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done,
                            Audit audit = std::nullopt) = 0;

  // Marks the key named `name` revoked at `now` and answers with it. A key
  // revoked earlier keeps its first revocation time. kNotFound when no key
  // has that name.
  virtual void RevokeApiKey(std::string name, core::TimePoint now, std::function<void(core::Result<core::ApiKey>)> done,
                            Audit audit = std::nullopt) = 0;

  // Every key, revoked ones included, by name.
  virtual core::Result<std::vector<core::ApiKey>> ListApiKeys() = 0;

  // The keys that are not revoked, by name: what authenticates requests.
  virtual core::Result<std::vector<core::ApiKey>> ActiveApiKeys() = 0;

  // Whether authentication is on for this database whatever its keys: true
  // from the creation of its first key (CreateApiKey records it in the same
  // transaction) until DisableAuthentication. Revoking every key leaves it
  // true, so a node on loopback behind a proxy does not open up.
  virtual core::Result<bool> AuthenticationRequired() = 0;

  // Deliberately turns that record off (`jobsched keys disable-auth`): a
  // service with no key then serves everyone again where its listener
  // allows. kConflict, naming them, while unrevoked keys exist. Answers
  // whether the record was on.
  virtual void DisableAuthentication(std::function<void(core::Result<bool>)> done) = 0;
};

// Blocking forms of the writes, for the `jobsched keys` commands and tests.
core::Result<core::ApiKey> CreateApiKeyAndWait(ApiKeyStore& store, core::ApiKey key, Audit audit = std::nullopt);
core::Result<core::ApiKey> RevokeApiKeyAndWait(ApiKeyStore& store, std::string name, core::TimePoint now,
                                               Audit audit = std::nullopt);
core::Result<bool> DisableAuthenticationAndWait(ApiKeyStore& store);

// The kConflict of DisableAuthentication: `active` names the unrevoked keys.
core::Error KeysStillActive(const std::vector<std::string>& active);

}  // namespace jobsched::store
