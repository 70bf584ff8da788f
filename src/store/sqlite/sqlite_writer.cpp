#include "store/sqlite/sqlite_writer.hpp"

#include <utility>

namespace jobsched::store::sqlite {
namespace {

core::Result<void> RunCached(SqliteConnection& db, std::string_view sql) {
  auto statement = db.Cached(sql);
  if (!statement) return statement.error();
  return (*statement)->Run();
}

}  // namespace

SqliteWriter::SqliteWriter(std::unique_ptr<SqliteConnection> connection, std::size_t max_batch)
    : connection_(std::move(connection)), queue_(max_batch, [this](Queue::Batch& batch) { CommitBatch(batch); }) {}

void SqliteWriter::CommitBatch(Queue::Batch& batch) {
  SqliteConnection& db = *connection_;
  // IMMEDIATE takes the write lock up front, so the commit cannot fail with
  // SQLITE_BUSY half-way because another process (a `migrate`) got in first.
  if (auto begun = db.Execute("BEGIN IMMEDIATE"); !begun) {
    for (auto& write : batch) write.finish(&begun.error());
    return;
  }
  for (auto& write : batch) {
    // A savepoint per write: one failing write rolls back alone and the rest
    // of the batch still commits. Prepared once: parsing them per write cost
    // a tenth of the writer's time.
    if (auto saved = RunCached(db, "SAVEPOINT w"); !saved) {
      (void)db.Execute("ROLLBACK");
      for (auto& each : batch) each.finish(&saved.error());
      return;
    }
    if (!write.apply(db)) (void)RunCached(db, "ROLLBACK TO w");
    (void)RunCached(db, "RELEASE w");
  }
  if (auto committed = db.Execute("COMMIT"); !committed) {
    (void)db.Execute("ROLLBACK");
    for (auto& write : batch) write.finish(&committed.error());
    return;
  }
  for (auto& write : batch) write.finish(nullptr);
}

}  // namespace jobsched::store::sqlite
