#pragma once

#include <string>

#include "core/result.hpp"

namespace jobsched::app {

// Holds an exclusive lock on `<database>.lock` while a `serve` process uses
// a SQLite database. SQLite mode is one process: its writer thread is the
// only writer and tells the job cache what changed (docs/decisions/0005),
// and only it fires and runs jobs. A second `serve` on the same file would
// make both wrong, so it is refused. The lock is flock(2): the kernel drops
// it when the process ends, however it ends, so a crash leaves nothing to
// clean up. `jobsched keys` and `migrate` do not take it.
class DatabaseLock {
 public:
  // kUnavailable, saying so, when another process holds the lock.
  static core::Result<DatabaseLock> Acquire(const std::string& database_path);

  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock& operator=(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock();

 private:
  explicit DatabaseLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace jobsched::app
