#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// Connections for reads, opened on demand and kept for reuse, at most
// `max_connections` at once: every node of a cluster holds some, and
// PostgreSQL's max_connections is shared by all of them.
class PgReaderPool {
 public:
  PgReaderPool(std::string url, std::size_t max_connections, std::chrono::milliseconds acquire_timeout);
  PgReaderPool(const PgReaderPool&) = delete;
  PgReaderPool& operator=(const PgReaderPool&) = delete;

  // Runs `read` on a pooled connection (autocommit: each statement sees the
  // latest committed data). A read that failed because its connection was
  // lost (the server restarted, an idle connection was cut) is tried once
  // more on a new connection: reads can be repeated safely. kUnavailable when
  // no connection can be made, or none frees up within the acquire timeout.
  template <typename T>
  core::Result<T> Read(const std::function<core::Result<T>(PgConnection&)>& read) {
    for (int attempt = 0;; ++attempt) {
      auto connection = Acquire();
      if (!connection) return connection.error();
      core::Result<T> result = read(**connection);
      const bool lost = !(*connection)->IsHealthy();
      Release(std::move(connection).value());
      if (result.ok() || !lost || attempt == 1) return result;
    }
  }

 private:
  core::Result<std::unique_ptr<PgConnection>> Acquire() EXCLUDES(mutex_);
  // Keeps a healthy connection for the next reader; drops a broken one.
  void Release(std::unique_ptr<PgConnection> connection) EXCLUDES(mutex_);

  const std::string url_;
  const std::size_t max_connections_;
  const std::chrono::milliseconds acquire_timeout_;
  core::Mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConnection>> idle_ GUARDED_BY(mutex_);
  std::size_t open_ GUARDED_BY(mutex_) = 0;  // idle and lent out
};

}  // namespace jobsched::store::postgres
