#include "store/api_key_store.hpp"

#include "store/wait.hpp"

namespace jobsched::store {

core::Result<core::ApiKey> CreateApiKeyAndWait(ApiKeyStore& store, core::ApiKey key) {
  return Wait<core::ApiKey>([&](auto done) { store.CreateApiKey(std::move(key), std::move(done)); });
}

core::Result<core::ApiKey> RevokeApiKeyAndWait(ApiKeyStore& store, std::string name, core::TimePoint now) {
  return Wait<core::ApiKey>([&](auto done) { store.RevokeApiKey(std::move(name), now, std::move(done)); });
}

}  // namespace jobsched::store
