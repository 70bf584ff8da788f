// The ApiKeyStore half of SqliteJobStore: the api_keys table.
#include <utility>

#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {
namespace {

core::Result<core::ApiKey> KeyFromRow(const Statement& row, int first) {
  const auto role = core::ParseRole(row.ColumnText(first + 2));
  if (!role) return core::Error::Internal("stored API key has an unknown role");
  core::ApiKey key;
  key.id = row.ColumnInt(first + 0);
  key.name = row.ColumnText(first + 1);
  key.role = *role;
  key.namespace_name = row.ColumnText(first + 3);
  key.token_hash = row.ColumnText(first + 4);
  key.rate_limit = row.ColumnOptionalInt(first + 5);
  key.created_at = core::FromUnixMs(row.ColumnInt(first + 6));
  key.revoked_at = OptionalTime(row.ColumnOptionalInt(first + 7));
  key.expires_at = OptionalTime(row.ColumnOptionalInt(first + 8));
  return key;
}

core::Result<std::optional<core::ApiKey>> FindKey(SqliteConnection& db, const std::string& name) {
  static const std::string kSql = "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE name = ?";
  auto statement = db.Cached(kSql);
  if (!statement) return statement.error();
  (*statement)->Bind(1, name);
  auto row = (*statement)->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<core::ApiKey>();
  auto key = KeyFromRow(**statement, 0);
  if (!key) return key.error();
  return std::optional<core::ApiKey>(std::move(key).value());
}

}  // namespace

void SqliteJobStore::CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done, Audit audit) {
  writer_->Submit<core::ApiKey>(
      [key = std::move(key), audit = std::move(audit)](SqliteConnection& db) mutable -> core::Result<core::ApiKey> {
        // Looked up first for a clear message; the UNIQUE constraint still
        // decides should another process insert the name meanwhile.
        auto existing = FindKey(db, key.name);
        if (!existing) return existing.error();
        if (*existing) {
          return core::Error::Conflict("an API key named '" + key.name +
                                       "' exists already (names are not reused, even after a revoke)");
        }
        auto insert = db.Cached(
            "INSERT INTO api_keys (name, role, namespace, token_hash, rate_limit, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!insert) return insert.error();
        (*insert)
            ->Bind(1, key.name)
            .Bind(2, core::ToString(key.role))
            .Bind(3, key.namespace_name)
            .Bind(4, key.token_hash)
            .Bind(5, key.rate_limit)
            .Bind(6, core::ToUnixMs(key.created_at))
            .Bind(7, OptionalMs(key.expires_at));
        if (auto ran = (*insert)->Run(); !ran) return ran.error();
        key.id = db.LastInsertRowId();
        // From now on authentication stays on, even once every key is revoked.
        auto record = db.Cached("INSERT OR IGNORE INTO auth_required (id, since) VALUES (1, ?)");
        if (!record) return record.error();
        (*record)->Bind(1, core::ToUnixMs(key.created_at));
        if (auto ran = (*record)->Run(); !ran) return ran.error();
        key.revoked_at.reset();
        if (audit) {
          auto recorded = InsertAudit(db, KeyAuditEntry(*audit, core::audit_action::kKeyCreated, nullptr, key));
          if (!recorded) return recorded.error();
        }
        return key;
      },
      std::move(done));
}

void SqliteJobStore::RevokeApiKey(std::string name, core::TimePoint now,
                                  std::function<void(core::Result<core::ApiKey>)> done, Audit audit) {
  writer_->Submit<core::ApiKey>(
      [name = std::move(name), now, audit = std::move(audit)](SqliteConnection& db) -> core::Result<core::ApiKey> {
        auto existing = FindKey(db, name);
        if (!existing) return existing.error();
        if (!*existing) return core::Error::NotFound("no API key is named '" + name + "'");
        core::ApiKey key = std::move(**existing);
        if (key.revoked_at) return key;
        auto revoke = db.Cached("UPDATE api_keys SET revoked_at = ? WHERE id = ?");
        if (!revoke) return revoke.error();
        (*revoke)->Bind(1, core::ToUnixMs(now)).Bind(2, key.id);
        if (auto ran = (*revoke)->Run(); !ran) return ran.error();
        const core::ApiKey before = key;
        key.revoked_at = now;
        if (audit) {
          auto recorded = InsertAudit(db, KeyAuditEntry(*audit, core::audit_action::kKeyRevoked, &before, key));
          if (!recorded) return recorded.error();
        }
        return key;
      },
      std::move(done));
}

core::Result<std::vector<core::ApiKey>> SqliteJobStore::ListApiKeys() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kSql = "SELECT " + std::string(kKeyColumns) + " FROM api_keys ORDER BY name";
  auto statement = (**reader).Cached(kSql);
  if (!statement) return statement.error();
  return CollectRows<core::ApiKey>(**statement, KeyFromRow);
}

core::Result<std::vector<core::ApiKey>> SqliteJobStore::ActiveApiKeys() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kSql =
      "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE revoked_at IS NULL ORDER BY name";
  auto statement = (**reader).Cached(kSql);
  if (!statement) return statement.error();
  return CollectRows<core::ApiKey>(**statement, KeyFromRow);
}

core::Result<bool> SqliteJobStore::AuthenticationRequired() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement = (**reader).Cached("SELECT count(*) FROM auth_required");
  if (!statement) return statement.error();
  auto row = (*statement)->Step();
  if (!row) return row.error();
  return *row && (*statement)->ColumnInt(0) > 0;
}

void SqliteJobStore::DisableAuthentication(std::function<void(core::Result<bool>)> done) {
  writer_->Submit<bool>(
      [](SqliteConnection& db) -> core::Result<bool> {
        auto active = db.Cached("SELECT name FROM api_keys WHERE revoked_at IS NULL ORDER BY name");
        if (!active) return active.error();
        std::vector<std::string> names;
        for (;;) {
          auto row = (*active)->Step();
          if (!row) return row.error();
          if (!*row) break;
          names.push_back((*active)->ColumnText(0));
        }
        if (!names.empty()) return KeysStillActive(names);
        auto removed = db.Cached("DELETE FROM auth_required");
        if (!removed) return removed.error();
        if (auto ran = (*removed)->Run(); !ran) return ran.error();
        return db.Changes() > 0;
      },
      std::move(done));
}

}  // namespace jobsched::store::sqlite
