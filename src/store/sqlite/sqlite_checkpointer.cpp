#include "store/sqlite/sqlite_checkpointer.hpp"

#include <mutex>

#include <spdlog/spdlog.h>

namespace jobsched::store::sqlite {

SqliteCheckpointer::SqliteCheckpointer(std::unique_ptr<SqliteConnection> connection, std::chrono::milliseconds interval,
                                       WalState& wal, std::chrono::milliseconds report_every)
    : connection_(std::move(connection)),
      interval_(interval),
      wal_(wal),
      report_every_(report_every),
      opened_(std::chrono::steady_clock::now()),
      next_report_(opened_ + report_every) {
  thread_ = std::thread([this] { Loop(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SqliteCheckpointer::Loop() {
  core::MutexLock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock.native(), interval_, [this] {
      mutex_.AssertHeld();
      return stopping_;
    });
    const bool last = stopping_;
    lock.Unlock();
    // PASSIVE never waits for readers or the writer; what it cannot copy now
    // it copies next time. A failure (busy) is the same: try again later.
    // The last one, with the writer gone, copies everything and empties the
    // WAL file (TRUNCATE), so a clean shutdown leaves no WAL to replay.
    Checkpoint(last ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)");
    Report(last);
    if (last) return;
    lock.Lock();
  }
}

void SqliteCheckpointer::Checkpoint(const char* sql) {
  std::lock_guard checkpointing(wal_.checkpoint_mutex());
  (void)connection_->Execute(sql);
}

void SqliteCheckpointer::Report(bool last) {
  const auto now = std::chrono::steady_clock::now();
  if (!last && now < next_report_) return;
  next_report_ = now + report_every_;
  const WalStats stats = wal_.Snapshot();
  if (stats.commits == reported_commits_ && !last) return;  // nothing written since the last line
  reported_commits_ = stats.commits;
  // The soak benchmark (bench/soak.py) and tests/e2e/test_wal_soak.py read
  // these lines: keep their shape. The last one is for operators too, unless
  // the store was open only briefly (`jobsched keys`).
  const bool for_operators = last && now - opened_ >= report_every_;
  spdlog::log(for_operators ? spdlog::level::info : spdlog::level::debug,
              "sqlite wal: {} frames ({} bytes) written in {} commits; WAL now {} bytes, largest {} bytes; "
              "{} restarts, {} refused, longest {} us",
              stats.frames_written, stats.bytes_written, stats.commits, stats.wal_bytes, stats.largest_wal_bytes,
              stats.restarts, stats.refusals, stats.longest_restart.count());
}

}  // namespace jobsched::store::sqlite
