#include "store/sqlite/sqlite_checkpointer.hpp"

namespace jobsched::store::sqlite {

SqliteCheckpointer::SqliteCheckpointer(std::unique_ptr<SqliteConnection> connection, std::chrono::milliseconds interval)
    : connection_(std::move(connection)), interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SqliteCheckpointer::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    const bool last = stopping_;
    lock.unlock();
    // PASSIVE never waits for readers or the writer; what it cannot copy now
    // it copies next time. A failure (busy) is the same: try again later.
    (void)connection_->Execute("PRAGMA wal_checkpoint(PASSIVE)");
    if (last) return;
    lock.lock();
  }
}

}  // namespace jobsched::store::sqlite
