#include "api/stats_cache.hpp"

#include <algorithm>
#include <utility>

namespace jobsched::api {

std::shared_ptr<StatsCache::Entry> StatsCache::EntryFor(const std::string& key) {
  core::MutexLock lock(mutex_);
  auto found = entries_.find(key);
  if (found != entries_.end()) return found->second;
  // Entries in use stay alive through their shared_ptr; only the map forgets them.
  if (entries_.size() >= max_keys_) entries_.clear();
  return entries_.emplace(key, std::make_shared<Entry>()).first->second;
}

core::Result<std::string> StatsCache::Get(const std::string& key, const Compute& compute) {
  const std::shared_ptr<Entry> entry = EntryFor(key);
  core::MutexLock lock(entry->mutex);
  core::TimePoint now = clock_.Now();
  // A clock that went back (a FakeClock, an adjusted system clock) makes the answer stale too.
  auto fresh = [&entry, &now]() REQUIRES(entry->mutex) {
    return entry->computed_at && *entry->computed_at <= now && now - *entry->computed_at < entry->kept_for;
  };
  while (!fresh() && entry->computing) {
    if (entry->computed_at) return entry->body;  // the previous answer, while another caller computes the next
    entry->computed.wait(lock.native());
    entry->mutex.AssertHeld();
    now = clock_.Now();
  }
  if (fresh()) return entry->body;

  entry->computing = true;
  lock.Unlock();
  auto body = compute(now);
  const core::Milliseconds took = std::max(clock_.Now() - now, core::Milliseconds{0});
  lock.Lock();
  entry->computing = false;
  entry->computed.notify_all();
  if (!body) return body.error();
  entry->computed_at = now;
  entry->kept_for = std::max(keep_for_, took * kCostFactor);
  entry->body = *body;
  return body;
}

}  // namespace jobsched::api
