#include "store/api_key_store.hpp"

#include "store/wait.hpp"

namespace jobsched::store {

core::Result<core::ApiKey> CreateApiKeyAndWait(ApiKeyStore& store, core::ApiKey key, Audit audit) {
  return Wait<core::ApiKey>([&](auto done) { store.CreateApiKey(std::move(key), std::move(done), std::move(audit)); });
}

core::Result<core::ApiKey> RevokeApiKeyAndWait(ApiKeyStore& store, std::string name, core::TimePoint now, Audit audit) {
  return Wait<core::ApiKey>(
      [&](auto done) { store.RevokeApiKey(std::move(name), now, std::move(done), std::move(audit)); });
}

core::Result<bool> DisableAuthenticationAndWait(ApiKeyStore& store) {
  return Wait<bool>([&](auto done) { store.DisableAuthentication(std::move(done)); });
}

core::Error KeysStillActive(const std::vector<std::string>& active) {
  std::string names;
  for (std::size_t i = 0; i < active.size() && i < 10; ++i) names += (i == 0 ? "'" : ", '") + active[i] + "'";
  if (active.size() > 10) names += ", ...";
  return core::Error::Conflict("authentication stays on while API keys are active (" + names +
                               "): revoke them first with `jobsched keys revoke NAME`");
}

}  // namespace jobsched::store
