// The AuditLog half of PostgresJobStore: entries are inserted by the writes
// themselves (InsertAudit, in their transaction or savepoint, so a write
// undone takes its entry with it), read newest first and pruned by retention.
#include <string>
#include <utility>

#include "store/audit_log.hpp"
#include "store/postgres/pg_writes.hpp"
#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {
namespace {

std::optional<std::string> OptionalText(const PgResult& rows, int row, int column) {
  if (rows.IsNull(row, column)) return std::nullopt;
  return std::string(rows.Text(row, column));
}

core::AuditEntry AuditFromRow(const PgResult& rows, int row) {
  core::AuditEntry entry;
  entry.id = rows.Int(row, 0);
  entry.at = core::FromUnixMs(rows.Int(row, 1));
  entry.actor = std::string(rows.Text(row, 2));
  entry.actor_key_id = rows.OptionalInt(row, 3);
  entry.source = std::string(rows.Text(row, 4));
  entry.request_id = std::string(rows.Text(row, 5));
  entry.action = std::string(rows.Text(row, 6));
  entry.target_kind = std::string(rows.Text(row, 7));
  entry.target_id = rows.Int(row, 8);
  entry.namespace_name = std::string(rows.Text(row, 9));
  entry.before = OptionalText(rows, row, 10);
  entry.after = OptionalText(rows, row, 11);
  return entry;
}

void AddOptionalText(PgParams& params, const std::optional<std::string>& text) {
  if (text) {
    params.Add(*text);
  } else {
    params.AddNull();
  }
}

}  // namespace

core::Result<void> InsertAudit(PgConnection& db, const std::optional<core::AuditEntry>& entry) {
  if (!entry) return core::Ok();
  static const std::string kSql = "INSERT INTO audit_log (" + std::string(kAuditInsertColumns) +
                                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
  PgParams params;
  params.Add(core::ToUnixMs(entry->at))
      .Add(entry->actor)
      .Add(entry->actor_key_id)
      .Add(entry->source)
      .Add(entry->request_id)
      .Add(entry->action)
      .Add(entry->target_kind)
      .Add(entry->target_id)
      .Add(entry->namespace_name);
  AddOptionalText(params, entry->before);
  AddOptionalText(params, entry->after);
  auto inserted = db.Query(kSql, params);
  if (!inserted) return inserted.error();
  return core::Ok();
}

core::Result<std::vector<core::AuditEntry>> PostgresJobStore::ListAudit(const AuditQuery& query) {
  const AuditSql sql = BuildAuditSql(query, [](int n) { return "$" + std::to_string(n); });
  const std::string text = "SELECT " + std::string(kAuditColumns) + " FROM audit_log" + sql.where_order_limit;
  PgParams params;
  for (const std::string& value : sql.texts) params.Add(value);
  for (const std::int64_t value : sql.numbers) params.Add(value);
  return database_->readers().Read<std::vector<core::AuditEntry>>(
      [&](PgConnection& db) -> core::Result<std::vector<core::AuditEntry>> {
        auto selected = db.Query(text, params);
        if (!selected) return selected.error();
        std::vector<core::AuditEntry> entries;
        entries.reserve(static_cast<std::size_t>(selected->rows()));
        for (int row = 0; row < selected->rows(); ++row) entries.push_back(AuditFromRow(*selected, row));
        return entries;
      });
}

void PostgresJobStore::PruneAuditBefore(core::TimePoint before, std::size_t limit,
                                        std::function<void(core::Result<std::size_t>)> done) {
  // SKIP LOCKED, as run retention: nodes pruning at once do not wait for
  // each other.
  SubmitDeleteBatch(database_->writer(),
                    "DELETE FROM audit_log WHERE id IN "
                    "(SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)",
                    before, limit, std::move(done));
}

}  // namespace jobsched::store::postgres
