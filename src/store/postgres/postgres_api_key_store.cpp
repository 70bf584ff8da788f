#include "store/postgres/postgres_api_key_store.hpp"

#include <utility>

#include "store/audit_log.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"

namespace jobsched::store::postgres {
namespace {

core::Result<core::ApiKey> KeyFromRow(const PgResult& result, int row, int first) {
  const auto role = core::ParseRole(result.Text(row, first + 2));
  if (!role) return core::Error::Internal("stored API key has an unknown role");
  core::ApiKey key;
  key.id = result.Int(row, first + 0);
  key.name = std::string(result.Text(row, first + 1));
  key.role = *role;
  key.namespace_name = std::string(result.Text(row, first + 3));
  key.token_hash = std::string(result.Text(row, first + 4));
  key.rate_limit = result.OptionalInt(row, first + 5);
  key.created_at = core::FromUnixMs(result.Int(row, first + 6));
  key.revoked_at = OptionalTime(result.OptionalInt(row, first + 7));
  key.expires_at = OptionalTime(result.OptionalInt(row, first + 8));
  return key;
}

// The key named `name`, locked for the rest of the writer's transaction.
core::Result<std::optional<core::ApiKey>> FindKeyForUpdate(PgConnection& db, const std::string& name) {
  static const std::string kSql = "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE name = $1 FOR UPDATE";
  auto selected = db.Query(kSql, PgParams().Add(name));
  if (!selected) return selected.error();
  if (selected->rows() == 0) return std::optional<core::ApiKey>();
  auto key = KeyFromRow(*selected, 0, 0);
  if (!key) return key.error();
  return std::optional<core::ApiKey>(std::move(key).value());
}

core::Result<std::vector<core::ApiKey>> SelectKeys(PgConnection& db, const std::string& sql) {
  auto selected = db.Query(sql);
  if (!selected) return selected.error();
  return CollectRows<core::ApiKey>(*selected, KeyFromRow);
}

}  // namespace

PostgresApiKeyStore::PostgresApiKeyStore(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

void PostgresApiKeyStore::CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done,
                                       Audit audit) {
  database_->writer().Submit<core::ApiKey>(
      [key = std::move(key), audit = std::move(audit)](PgConnection& db) mutable -> core::Result<core::ApiKey> {
        // ON CONFLICT DO NOTHING: a taken name or hash comes back as no row,
        // and the transaction (shared with other writes) stays usable.
        auto inserted = db.Query(
            "INSERT INTO api_keys (name, role, namespace, token_hash, rate_limit, created_at, expires_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            PgParams()
                .Add(key.name)
                .Add(core::ToString(key.role))
                .Add(key.namespace_name)
                .Add(key.token_hash)
                .Add(key.rate_limit)
                .Add(core::ToUnixMs(key.created_at))
                .Add(OptionalMs(key.expires_at)));
        if (!inserted) return inserted.error();
        if (inserted->rows() == 0) {
          return core::Error::Conflict("an API key named '" + key.name +
                                       "' exists already (names are not reused, even after a revoke)");
        }
        key.id = inserted->Int(0, 0);
        // From now on authentication stays on, even once every key is revoked.
        auto recorded = db.Query("INSERT INTO auth_required (id, since) VALUES (1, $1) ON CONFLICT DO NOTHING",
                                 PgParams().Add(core::ToUnixMs(key.created_at)));
        if (!recorded) return recorded.error();
        key.revoked_at.reset();
        if (audit) {
          auto entry = KeyAuditEntry(*audit, core::audit_action::kKeyCreated, nullptr, key);
          if (auto inserted_entry = InsertAudit(db, entry); !inserted_entry) return inserted_entry.error();
        }
        return key;
      },
      std::move(done));
}

void PostgresApiKeyStore::RevokeApiKey(std::string name, core::TimePoint now,
                                       std::function<void(core::Result<core::ApiKey>)> done, Audit audit) {
  database_->writer().Submit<core::ApiKey>(
      [name = std::move(name), now, audit = std::move(audit)](PgConnection& db) -> core::Result<core::ApiKey> {
        auto existing = FindKeyForUpdate(db, name);
        if (!existing) return existing.error();
        if (!*existing) return core::Error::NotFound("no API key is named '" + name + "'");
        core::ApiKey key = std::move(**existing);
        if (key.revoked_at) return key;
        auto revoked = db.Query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2",
                                PgParams().Add(core::ToUnixMs(now)).Add(key.id));
        if (!revoked) return revoked.error();
        const core::ApiKey before = key;
        key.revoked_at = now;
        if (audit) {
          auto entry = KeyAuditEntry(*audit, core::audit_action::kKeyRevoked, &before, key);
          if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
        }
        return key;
      },
      std::move(done));
}

core::Result<std::vector<core::ApiKey>> PostgresApiKeyStore::ListApiKeys() {
  static const std::string kSql = "SELECT " + std::string(kKeyColumns) + " FROM api_keys ORDER BY name COLLATE \"C\"";
  return database_->readers().Read<std::vector<core::ApiKey>>([](PgConnection& db) { return SelectKeys(db, kSql); });
}

core::Result<std::vector<core::ApiKey>> PostgresApiKeyStore::ActiveApiKeys() {
  static const std::string kSql =
      "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE revoked_at IS NULL ORDER BY name COLLATE \"C\"";
  return database_->readers().Read<std::vector<core::ApiKey>>([](PgConnection& db) { return SelectKeys(db, kSql); });
}

core::Result<bool> PostgresApiKeyStore::AuthenticationRequired() {
  return database_->readers().Read<bool>([](PgConnection& db) -> core::Result<bool> {
    auto selected = db.Query("SELECT count(*) FROM auth_required");
    if (!selected) return selected.error();
    return selected->Int(0, 0) > 0;
  });
}

void PostgresApiKeyStore::DisableAuthentication(std::function<void(core::Result<bool>)> done) {
  database_->writer().Submit<bool>(
      [](PgConnection& db) -> core::Result<bool> {
        // Locks the record first, so a key created meanwhile (which inserts
        // it again) waits for this transaction and is never lost.
        auto locked = db.Query("SELECT id FROM auth_required FOR UPDATE");
        if (!locked) return locked.error();
        auto active =
            db.Query("SELECT name FROM api_keys WHERE revoked_at IS NULL ORDER BY name COLLATE \"C\" FOR SHARE");
        if (!active) return active.error();
        std::vector<std::string> names;
        for (int row = 0; row < active->rows(); ++row) names.emplace_back(active->Text(row, 0));
        if (!names.empty()) return KeysStillActive(names);
        auto removed = db.Query("DELETE FROM auth_required");
        if (!removed) return removed.error();
        return removed->affected() > 0;
      },
      std::move(done));
}

}  // namespace jobsched::store::postgres
