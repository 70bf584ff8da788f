#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/api_key_store.hpp"
#include "store/postgres/pg_database.hpp"

namespace jobsched::store::postgres {

// API keys in PostgreSQL (the api_keys table), shared by every node of a
// cluster: a key made or revoked through any node's database counts on all
// of them at their next key refresh. Writes go through the database's writer
// thread, reads through its pool.
class PostgresApiKeyStore final : public ApiKeyStore {
 public:
  explicit PostgresApiKeyStore(std::shared_ptr<PgDatabase> database);

  void CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done,
                    Audit audit = std::nullopt) override;
  void RevokeApiKey(std::string name, core::TimePoint now, std::function<void(core::Result<core::ApiKey>)> done,
                    Audit audit = std::nullopt) override;
  core::Result<std::vector<core::ApiKey>> ListApiKeys() override;
  core::Result<std::vector<core::ApiKey>> ActiveApiKeys() override;
  core::Result<bool> AuthenticationRequired() override;
  void DisableAuthentication(std::function<void(core::Result<bool>)> done) override;

 private:
  std::shared_ptr<PgDatabase> database_;
};

}  // namespace jobsched::store::postgres
