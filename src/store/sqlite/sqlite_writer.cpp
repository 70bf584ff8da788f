#include "store/sqlite/sqlite_writer.hpp"

#include <sqlite3.h>

#include <utility>

namespace jobsched::store::sqlite {
namespace {

using Clock = std::chrono::steady_clock;

// The writer's busy timeout outside a restart (SqliteConnection::Open's).
constexpr int kBusyTimeoutMs = 5000;

core::Result<void> RunCached(SqliteConnection& db, std::string_view sql) {
  auto statement = db.Cached(sql);
  if (!statement) return statement.error();
  return (*statement)->Run();
}

}  // namespace

SqliteWriter::SqliteWriter(std::unique_ptr<SqliteConnection> connection, const SqliteWriterOptions& options,
                           WalState& wal)
    : connection_(std::move(connection)),
      wal_(wal),
      policy_(options.wal),
      pacer_(options.commit_spacing, options.commit_burst),
      before_commit_(options.before_commit),
      queue_(
          options.max_batch, [this](Queue::Batch& batch) { CommitBatch(batch); },
          [this] { return pacer_.NextCommitAt(Clock::now()); }, options.commit_enough) {
  // After `PRAGMA wal_autocheckpoint`, which would replace it.
  sqlite3_wal_hook(connection_->handle(), &SqliteWriter::OnWalCommit, this);
}

int SqliteWriter::OnWalCommit(void* writer, sqlite3* /*db*/, const char* /*name*/, int frames) {
  static_cast<SqliteWriter*>(writer)->wal_frames_ = frames;
  return SQLITE_OK;
}

void SqliteWriter::CommitBatch(Queue::Batch& batch) {
  pacer_.Started(Clock::now());
  RunBatch(batch);
  KeepWalBounded();
}

void SqliteWriter::RunBatch(Queue::Batch& batch) {
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
  if (before_commit_) {
    if (auto prepared = before_commit_(db); !prepared) {
      (void)db.Execute("ROLLBACK");
      for (auto& write : batch) write.finish(&prepared.error());
      return;
    }
  }
  if (auto committed = db.Execute("COMMIT"); !committed) {
    (void)db.Execute("ROLLBACK");
    for (auto& write : batch) write.finish(&committed.error());
    return;
  }
  wal_.Committed(wal_frames_);
  for (auto& write : batch) write.finish(nullptr);
}

void SqliteWriter::KeepWalBounded() {
  const Clock::time_point now = Clock::now();
  const auto wait = policy_.RestartWait(wal_.BytesOf(wal_frames_), now);
  if (!wait) return;
  // The checkpointer is copying: SQLite would refuse a second checkpoint at
  // once. Its copy is what makes the restart cheap; try after the next commit.
  std::unique_lock checkpointing(wal_.checkpoint_mutex(), std::try_to_lock);
  if (!checkpointing.owns_lock()) return;
  sqlite3* db = connection_->handle();
  // RESTART copies what the checkpointer has not yet, then waits (through
  // the busy handler, so at most `wait`) until no reader is still in the
  // WAL. Writes queue meanwhile: this is the stall the wait bounds.
  sqlite3_busy_timeout(db, static_cast<int>(wait->count()));
  int log_frames = 0;
  int copied_frames = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, &log_frames, &copied_frames);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  const bool restarted = rc == SQLITE_OK;
  wal_.Checkpointed(restarted, std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - now));
  if (restarted) {
    policy_.Restarted();
  } else {
    policy_.Refused(Clock::now());
  }
}

}  // namespace jobsched::store::sqlite
