#include "app/key_commands.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "api/api_token.hpp"
#include "core/duration.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/postgres_api_key_store.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::app {
namespace {

constexpr std::int64_t kMaxKeyRateLimit = 1000000;

std::string Cell(const std::optional<core::TimePoint>& time) { return time ? core::FormatRfc3339(*time) : "-"; }

}  // namespace

core::Result<CreatedKey> CreateKey(store::ApiKeyStore& store, const core::Clock& clock, const NewKeyRequest& request) {
  if (auto valid = core::ValidateKeyName(request.name); !valid) return valid.error();
  const auto role = core::ParseRole(request.role);
  if (!role) {
    return core::Error::InvalidArgument("role", "role: must be read, write or admin, got '" + request.role + "'");
  }
  if (auto valid = core::ValidateNamespace(request.namespace_name); !valid) return valid.error();
  if (request.rate_limit && (*request.rate_limit < 0 || *request.rate_limit > kMaxKeyRateLimit)) {
    return core::Error::InvalidArgument("rate-limit",
                                        "rate-limit: must be from 0 (no limit) to " + std::to_string(kMaxKeyRateLimit));
  }
  std::optional<core::Milliseconds> lifetime;
  if (request.expires_in) {
    auto parsed = core::ParseDuration(*request.expires_in, "expires-in");
    if (!parsed) return parsed.error();
    lifetime = *parsed;
  }
  auto token = api::GenerateToken();
  if (!token) return token.error();
  core::ApiKey key;
  key.name = request.name;
  key.role = *role;
  key.namespace_name = request.namespace_name;
  key.token_hash = api::HashToken(*token);
  key.rate_limit = request.rate_limit;
  key.created_at = clock.Now();
  if (lifetime) key.expires_at = key.created_at + *lifetime;
  auto stored = store::CreateApiKeyAndWait(store, std::move(key));
  if (!stored) return stored.error();
  return CreatedKey{std::move(stored).value(), std::move(token).value()};
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
  auto url = ParseDatabaseUrl(config.db);
  if (!url) return core::Error::InvalidArgument("db", "db: " + url.error().message);
  if (url->kind == DatabaseUrl::Kind::kPostgres) {
    auto database = store::postgres::PgDatabase::Open({.url = url->location, .read_connections = 1});
    if (!database) return database.error();
    return std::shared_ptr<store::ApiKeyStore>(
        std::make_shared<store::postgres::PostgresApiKeyStore>(std::move(database).value()));
  }
  const std::filesystem::path folder = std::filesystem::path(url->location).parent_path();
  if (!folder.empty()) {
    std::error_code error;
    // As serve does: only the owner may look inside (webhook secrets).
    if (std::filesystem::create_directories(folder, error)) {
      std::filesystem::permissions(folder, std::filesystem::perms::owner_all, error);
    }
    if (error) return core::Error::Unavailable("cannot create " + folder.string() + ": " + error.message());
  }
  auto store = store::sqlite::SqliteJobStore::Open({.path = url->location, .max_batch = 64});
  if (!store) return store.error();
  return std::shared_ptr<store::ApiKeyStore>(std::move(store).value());
}

}  // namespace jobsched::app
