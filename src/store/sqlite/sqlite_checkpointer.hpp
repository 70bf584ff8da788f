#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_wal.hpp"

namespace jobsched::store::sqlite {

// Copies the WAL back into the database file on its own thread and
// connection. SQLite's automatic checkpoint would run inside the writer's
// commit and stall every write queued behind it (hundreds of milliseconds
// under load); a PASSIVE checkpoint here runs alongside the writer instead.
// PASSIVE never resets the WAL: the writer does that (WalPolicy), cheaply,
// because this thread has already copied nearly everything.
class SqliteCheckpointer {
 public:
  // Takes a read-write connection of its own; checkpoints every `interval`.
  // `wal` must outlive it. Logs the WAL's figures (debug) every `report_every`
  // while anything is written, and once more when stopped (info).
  SqliteCheckpointer(std::unique_ptr<SqliteConnection> connection, std::chrono::milliseconds interval, WalState& wal,
                     std::chrono::milliseconds report_every = std::chrono::seconds{10});
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;
  // Stops the thread after one last checkpoint, a TRUNCATE: destroyed once
  // the writer has stopped, it leaves an empty WAL behind.
  ~SqliteCheckpointer();

 private:
  void Loop() EXCLUDES(mutex_);
  void Checkpoint(const char* sql);
  void Report(bool last);

  std::unique_ptr<SqliteConnection> connection_;
  const std::chrono::milliseconds interval_;
  WalState& wal_;
  const std::chrono::milliseconds report_every_;
  const std::chrono::steady_clock::time_point opened_;
  std::chrono::steady_clock::time_point next_report_;  // checkpointer thread only
  std::int64_t reported_commits_ = 0;                  // checkpointer thread only
  core::Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace jobsched::store::sqlite
