#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/result.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// Read-only connections to one database, opened on demand and kept for
// reuse: one per thread reading at the same time. WAL lets them read while
// the writer writes.
class SqliteReaderPool {
 public:
  // A borrowed connection, handed back to the pool when destroyed.
  class Lease {
   public:
    Lease(SqliteReaderPool* pool, std::unique_ptr<SqliteConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->Release(std::move(connection_));
    }
    SqliteConnection& operator*() { return *connection_; }

   private:
    SqliteReaderPool* pool_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  explicit SqliteReaderPool(std::string path) : path_(std::move(path)) {}

  // An idle connection, or a new one. Fails when the file cannot be opened.
  core::Result<Lease> Acquire() EXCLUDES(mutex_);

 private:
  void Release(std::unique_ptr<SqliteConnection> connection) EXCLUDES(mutex_);

  const std::string path_;
  core::Mutex mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_ GUARDED_BY(mutex_);
};

}  // namespace jobsched::store::sqlite
