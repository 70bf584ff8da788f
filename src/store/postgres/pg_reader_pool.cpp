#include "store/postgres/pg_reader_pool.hpp"

#include <utility>

namespace jobsched::store::postgres {

PgReaderPool::PgReaderPool(std::string url, std::size_t max_connections, std::chrono::milliseconds acquire_timeout)
    : url_(std::move(url)),
      max_connections_(max_connections == 0 ? 1 : max_connections),
      acquire_timeout_(acquire_timeout) {}

core::Result<std::unique_ptr<PgConnection>> PgReaderPool::Acquire() {
  {
    core::MutexLock lock(mutex_);
    const bool available = released_.wait_for(lock.native(), acquire_timeout_, [this] {
      mutex_.AssertHeld();
      return !idle_.empty() || open_ < max_connections_;
    });
    if (!available) {
      return core::Error::Unavailable("postgresql: all " + std::to_string(max_connections_) +
                                      " read connections stayed busy for " + std::to_string(acquire_timeout_.count()) +
                                      " ms");
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;  // reserve the slot; connect outside the lock
  }
  auto connection = PgConnection::Open(url_);
  if (!connection) {
    {
      core::MutexLock lock(mutex_);
      --open_;
    }
    released_.notify_one();
    return connection.error();
  }
  return std::move(connection).value();
}

void PgReaderPool::Release(std::unique_ptr<PgConnection> connection) {
  std::vector<std::unique_ptr<PgConnection>> stale;
  {
    core::MutexLock lock(mutex_);
    if (connection->IsHealthy()) {
      idle_.push_back(std::move(connection));
    } else {
      // One lost connection usually means the server restarted or the
      // network broke: the idle ones are as dead, so the retry of the read
      // must not pick one of them. Each reconnects on demand.
      stale.swap(idle_);
      open_ -= stale.size() + 1;
    }
  }
  released_.notify_all();
  // `stale` and `connection` close here, outside the lock.
}

}  // namespace jobsched::store::postgres
