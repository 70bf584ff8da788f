#include "store/postgres/pg_clock.hpp"

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace jobsched::store::postgres {
namespace {

std::int64_t LocalMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

PgClock::PgClock(PgDatabase& database, std::chrono::milliseconds resync) : database_(database), resync_(resync) {
  if (auto synced = Sync(); !synced) {
    spdlog::warn("database clock: not measured yet ({}); using the local clock", synced.error().message);
  }
  thread_ = std::thread([this] { Loop(); });
}

PgClock::~PgClock() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

core::TimePoint PgClock::Now() const { return core::FromUnixMs(LocalMs() + offset_ms_.load()); }

core::Result<void> PgClock::Sync() {
  std::int64_t sent = 0;
  std::int64_t received = 0;
  auto server = database_.readers().Read<std::int64_t>([&](PgConnection& db) -> core::Result<std::int64_t> {
    sent = LocalMs();
    auto selected = db.Query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
    received = LocalMs();
    if (!selected) return selected.error();
    return selected->Int(0, 0);
  });
  if (!server) return server.error();
  const std::int64_t offset = *server - (sent + received) / 2;
  const std::int64_t previous = offset_ms_.exchange(offset);
  if (std::llabs(offset - previous) > 1000) {
    spdlog::warn("database clock: this node's clock is {} ms {} PostgreSQL's; jobsched uses PostgreSQL's",
                 std::llabs(offset), offset > 0 ? "behind" : "ahead of");
  }
  return core::Ok();
}

void PgClock::Loop() {
  core::MutexLock lock(mutex_);
  while (!wake_.wait_for(lock.native(), resync_, [this] {
    mutex_.AssertHeld();
    return stopping_;
  })) {
    lock.Unlock();
    (void)Sync();  // unreachable: keep the last offset; the store reports the outage
    lock.Lock();
  }
}

}  // namespace jobsched::store::postgres
