#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/postgres/pg_database.hpp"

namespace jobsched::store::postgres {

// The database server's clock, as seen from this node: the local clock plus
// an offset measured against PostgreSQL's clock_timestamp() (at the
// midpoint of the query's round trip) every `resync` interval. Every node of
// a cluster judges time by it (what is due, leases, backoff), so nodes whose
// own clocks disagree still agree on when things happen; the error is at
// most half a round trip. Until the first measurement, and whenever the
// database is unreachable, the last offset (initially 0) stands.
class PgClock final : public core::Clock {
 public:
  // `database` must outlive the clock.
  PgClock(PgDatabase& database, std::chrono::milliseconds resync = std::chrono::seconds{10});
  PgClock(const PgClock&) = delete;
  PgClock& operator=(const PgClock&) = delete;
  ~PgClock() override;

  core::TimePoint Now() const override;

  // Measures the offset now; fails when the database cannot be reached.
  core::Result<void> Sync();
  // The current offset: database clock minus local clock.
  std::chrono::milliseconds offset() const { return std::chrono::milliseconds{offset_ms_.load()}; }

 private:
  void Loop() EXCLUDES(mutex_);

  PgDatabase& database_;
  const std::chrono::milliseconds resync_;
  std::atomic<std::int64_t> offset_ms_{0};
  core::Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace jobsched::store::postgres
