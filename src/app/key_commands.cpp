#include "app/key_commands.hpp"

#include <algorithm>

#include "api/key_handlers.hpp"
#include "app/database.hpp"

namespace jobsched::app {
namespace {

std::string Cell(const std::optional<core::TimePoint>& time) { return time ? core::FormatRfc3339(*time) : "-"; }

}  // namespace

core::Result<CreatedKey> CreateKey(store::ApiKeyStore& store, const core::Clock& clock, const NewKeyRequest& request) {
  auto made = api::PrepareKey(request, clock.Now(), api::kKeyFlags);
  if (!made) return made.error();
  auto stored = store::CreateApiKeyAndWait(store, std::move(made->key), KeyCommandAudit(clock.Now()));
  if (!stored) return stored.error();
  return CreatedKey{std::move(stored).value(), std::move(made->token)};
}

store::AuditContext KeyCommandAudit(core::TimePoint now) {
  store::AuditContext audit;
  audit.at = now;
  audit.actor = std::string(core::kLocalActor);
  audit.describe_key = [](const core::ApiKey& key) { return api::EncodeKey(key); };
  return audit;
}

std::string FormatKeyTable(const std::vector<core::ApiKey>& keys) {
  std::vector<std::vector<std::string>> rows{
      {"NAME", "ROLE", "NAMESPACE", "RATE_LIMIT", "CREATED", "EXPIRES", "REVOKED"}};
  for (const core::ApiKey& key : keys) {
    rows.push_back({key.name, std::string(core::ToString(key.role)), key.namespace_name,
                    key.rate_limit ? (*key.rate_limit == 0 ? "none" : std::to_string(*key.rate_limit)) : "default",
                    Cell(key.created_at), Cell(key.expires_at), Cell(key.revoked_at)});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

core::Result<std::shared_ptr<store::ApiKeyStore>> OpenKeyStore(const Config& config) {
  auto database = OpenDatabase(config.db, DatabaseUse::kTool);
  if (!database) return database.error();
  // The key store keeps what it needs of the database alive on its own.
  return std::move((*database)->api_keys);
}

}  // namespace jobsched::app
