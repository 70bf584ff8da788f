#include "store/sqlite/sqlite_reader_pool.hpp"

namespace jobsched::store::sqlite {

core::Result<SqliteReaderPool::Lease> SqliteReaderPool::Acquire() {
  {
    core::MutexLock lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  auto opened = SqliteConnection::Open(path_, SqliteConnection::Mode::kReadOnly);
  if (!opened) return opened.error();
  return Lease(this, std::move(opened).value());
}

void SqliteReaderPool::Release(std::unique_ptr<SqliteConnection> connection) {
  core::MutexLock lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace jobsched::store::sqlite
