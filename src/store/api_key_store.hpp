#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/api_key.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// Where API keys live: the same database as the jobs, so every node of a
// cluster sees the same keys. `jobsched keys` writes them; the service reads
// them into a cache (api::ApiKeyCache). Every method is safe to call from
// any thread; writes answer after their commit, on a store thread.
class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  // Inserts `key` (its id is assigned here) and answers with the stored key.
  // kConflict when a key of that name (revoked or not) or with that token
  // hash exists already.
  virtual void CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done) = 0;

  // Marks the key named `name` revoked at `now` and answers with it. A key
  // revoked earlier keeps its first revocation time. kNotFound when no key
  // has that name.
  virtual void RevokeApiKey(std::string name, core::TimePoint now,
                            std::function<void(core::Result<core::ApiKey>)> done) = 0;

  // Every key, revoked ones included, by name.
  virtual core::Result<std::vector<core::ApiKey>> ListApiKeys() = 0;

  // The keys that are not revoked, by name: what authenticates requests.
  virtual core::Result<std::vector<core::ApiKey>> ActiveApiKeys() = 0;
};

// Blocking forms of the writes, for the `jobsched keys` commands and tests.
core::Result<core::ApiKey> CreateApiKeyAndWait(ApiKeyStore& store, core::ApiKey key);
core::Result<core::ApiKey> RevokeApiKeyAndWait(ApiKeyStore& store, std::string name, core::TimePoint now);

}  // namespace jobsched::store
