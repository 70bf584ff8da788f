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
    : connection_(std::move(connection)), max_batch_(max_batch == 0 ? 1 : max_batch) {
  thread_ = std::thread([this] { Loop(); });
}

SqliteWriter::~SqliteWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SqliteWriter::Enqueue(Write write) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(write));
  }
  wake_.notify_one();
}

void SqliteWriter::Loop() {
  std::deque<Write> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything submitted is done
      while (!pending_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void SqliteWriter::CommitBatch(std::deque<Write>& batch) {
  SqliteConnection& db = *connection_;
  // IMMEDIATE takes the write lock up front, so the commit cannot fail with
  // SQLITE_BUSY half-way because another process (a `migrate`) got in first.
  if (auto begun = db.Execute("BEGIN IMMEDIATE"); !begun) {
    for (Write& write : batch) write.finish(&begun.error());
    return;
  }
  for (Write& write : batch) {
    // A savepoint per write: one failing write rolls back alone and the rest
    // of the batch still commits. Prepared once: parsing them per write cost
    // a tenth of the writer's time.
    if (auto saved = RunCached(db, "SAVEPOINT w"); !saved) {
      (void)db.Execute("ROLLBACK");
      for (Write& each : batch) each.finish(&saved.error());
      return;
    }
    if (!write.apply(db)) (void)RunCached(db, "ROLLBACK TO w");
    (void)RunCached(db, "RELEASE w");
  }
  if (auto committed = db.Execute("COMMIT"); !committed) {
    (void)db.Execute("ROLLBACK");
    for (Write& write : batch) write.finish(&committed.error());
    return;
  }
  for (Write& write : batch) write.finish(nullptr);
}

}  // namespace jobsched::store::sqlite
