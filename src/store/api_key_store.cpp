#include "store/api_key_store.hpp"

#include <future>

namespace jobsched::store {

core::Result<core::ApiKey> CreateApiKeyAndWait(ApiKeyStore& store, core::ApiKey key) {
  std::promise<core::Result<core::ApiKey>> promise;
  auto future = promise.get_future();
  store.CreateApiKey(std::move(key), [&promise](core::Result<core::ApiKey> created) {
    promise.set_value(std::move(created));
  });
  return future.get();
}

core::Result<core::ApiKey> RevokeApiKeyAndWait(ApiKeyStore& store, std::string name, core::TimePoint now) {
  std::promise<core::Result<core::ApiKey>> promise;
  auto future = promise.get_future();
  store.RevokeApiKey(std::move(name), now, [&promise](core::Result<core::ApiKey> revoked) {
    promise.set_value(std::move(revoked));
  });
  return future.get();
}

}  // namespace jobsched::store
