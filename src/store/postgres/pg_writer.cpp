#include "store/postgres/pg_writer.hpp"

#include <utility>

namespace jobsched::store::postgres {

PgWriter::PgWriter(std::string url, std::unique_ptr<PgConnection> connection, std::size_t max_batch)
    : url_(std::move(url)),
      connection_(std::move(connection)),
      queue_(max_batch, [this](Queue::Batch& batch) { CommitBatch(batch); }) {}

core::Result<void> PgWriter::Begin() {
  for (int attempt = 0;; ++attempt) {
    if (!connection_) {
      auto opened = PgConnection::Open(url_);
      if (!opened) return opened.error();
      connection_ = std::move(opened).value();
    }
    auto begun = connection_->Execute("BEGIN");
    if (begun || connection_->IsHealthy() || attempt == 1) return begun;
    connection_.reset();  // lost while idle: connect again and retry once
  }
}

void PgWriter::Abandon(Queue::Batch& batch, const core::Error& error) {
  if (connection_ && connection_->IsHealthy()) (void)connection_->Execute("ROLLBACK");
  if (connection_ && !connection_->IsHealthy()) connection_.reset();
  for (auto& write : batch) write.finish(&error);
}

void PgWriter::CommitBatch(Queue::Batch& batch) {
  if (auto begun = Begin(); !begun) return Abandon(batch, begun.error());
  PgConnection& db = *connection_;
  if (batch.size() == 1) {
    // Alone in its transaction: no savepoint needed, a failure rolls it all back.
    if (!batch.front().apply(db)) {
      if (db.IsHealthy()) {
        (void)db.Execute("ROLLBACK");
      } else {
        connection_.reset();
      }
      batch.front().finish(nullptr);
      return;
    }
  } else {
    for (auto& write : batch) {
      if (auto saved = db.Execute("SAVEPOINT w"); !saved) return Abandon(batch, saved.error());
      if (!write.apply(db)) {
        if (!db.IsHealthy()) {
          return Abandon(batch, core::Error::Unavailable("postgresql: connection lost during a write"));
        }
        if (auto undone = db.Execute("ROLLBACK TO SAVEPOINT w"); !undone) return Abandon(batch, undone.error());
      }
      if (auto released = db.Execute("RELEASE SAVEPOINT w"); !released) return Abandon(batch, released.error());
    }
  }
  if (auto committed = db.Execute("COMMIT"); !committed) {
    core::Error error = committed.error();
    // The COMMIT may or may not have happened; either way nobody may be told it did.
    if (!db.IsHealthy())
      error.message = "postgresql: connection lost while committing (outcome unknown): " + error.message;
    return Abandon(batch, error);
  }
  for (auto& write : batch) write.finish(nullptr);
}

}  // namespace jobsched::store::postgres
