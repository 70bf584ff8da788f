// The AuditLog half of SqliteJobStore: entries are inserted by the writes
// themselves (InsertAudit, inside their savepoint, so a write undone takes
// its entry with it), read newest first and pruned by retention.
#include <string>
#include <utility>

#include "store/audit_log.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {
namespace {

core::AuditEntry AuditFromRow(const Statement& row) {
  core::AuditEntry entry;
  entry.id = row.ColumnInt(0);
  entry.at = core::FromUnixMs(row.ColumnInt(1));
  entry.actor = row.ColumnText(2);
  entry.actor_key_id = row.ColumnOptionalInt(3);
  entry.source = row.ColumnText(4);
  entry.request_id = row.ColumnText(5);
  entry.action = row.ColumnText(6);
  entry.target_kind = row.ColumnText(7);
  entry.target_id = row.ColumnInt(8);
  entry.namespace_name = row.ColumnText(9);
  entry.before = row.ColumnOptionalText(10);
  entry.after = row.ColumnOptionalText(11);
  return entry;
}

void BindOptionalText(Statement& statement, int index, const std::optional<std::string>& text) {
  if (text) {
    statement.Bind(index, *text);
  } else {
    statement.BindNull(index);
  }
}

}  // namespace

core::Result<void> InsertAudit(SqliteConnection& db, const std::optional<core::AuditEntry>& entry) {
  if (!entry) return core::Ok();
  static const std::string kSql =
      "INSERT INTO audit_log (" + std::string(kAuditInsertColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  auto insert = db.Cached(kSql);
  if (!insert) return insert.error();
  Statement& statement = **insert;
  statement.Bind(1, core::ToUnixMs(entry->at))
      .Bind(2, entry->actor)
      .Bind(3, entry->actor_key_id)
      .Bind(4, entry->source)
      .Bind(5, entry->request_id)
      .Bind(6, entry->action)
      .Bind(7, entry->target_kind)
      .Bind(8, entry->target_id)
      .Bind(9, entry->namespace_name);
  BindOptionalText(statement, 10, entry->before);
  BindOptionalText(statement, 11, entry->after);
  return statement.Run();
}

core::Result<std::vector<core::AuditEntry>> SqliteJobStore::ListAudit(const AuditQuery& query) {
  const AuditSql sql = BuildAuditSql(query, [](int n) { return "?" + std::to_string(n); });
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement =
      (**reader).Cached("SELECT " + std::string(kAuditColumns) + " FROM audit_log" + sql.where_order_limit);
  if (!statement) return statement.error();
  int index = 1;
  for (const std::string& text : sql.texts) (*statement)->Bind(index++, text);
  for (const std::int64_t number : sql.numbers) (*statement)->Bind(index++, number);
  std::vector<core::AuditEntry> entries;
  while (true) {
    auto row = (*statement)->Step();
    if (!row) return row.error();
    if (!*row) break;
    entries.push_back(AuditFromRow(**statement));
  }
  return entries;
}

void SqliteJobStore::PruneAuditBefore(core::TimePoint before, std::size_t limit,
                                      std::function<void(core::Result<std::size_t>)> done) {
  SubmitDeleteBatch(*writer_,
                    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT ?)",
                    before, limit, std::move(done));
}

}  // namespace jobsched::store::sqlite
