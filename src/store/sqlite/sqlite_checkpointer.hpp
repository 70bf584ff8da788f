#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// Copies the WAL back into the database file on its own thread and
// connection. SQLite's automatic checkpoint would run inside the writer's
// commit and stall every write queued behind it (hundreds of milliseconds
// under load); a PASSIVE checkpoint here runs alongside the writer instead.
class SqliteCheckpointer {
 public:
  // Takes a read-write connection of its own; checkpoints every `interval`.
  SqliteCheckpointer(std::unique_ptr<SqliteConnection> connection, std::chrono::milliseconds interval);
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;
  // Stops the thread after one last checkpoint.
  ~SqliteCheckpointer();

 private:
  void Loop();

  std::unique_ptr<SqliteConnection> connection_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace jobsched::store::sqlite
