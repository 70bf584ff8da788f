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
  const core::TimePoint now = clock_.Now();
  // A clock that went back (a FakeClock, an adjusted system clock) makes the answer stale too.
  if (entry->computed_at && *entry->computed_at <= now && now - *entry->computed_at < entry->kept_for) {
    return entry->body;
  }
  auto body = compute(now);
  if (!body) return body.error();
  const core::Milliseconds took = std::max(clock_.Now() - now, core::Milliseconds{0});
  entry->computed_at = now;
  entry->kept_for = std::max(keep_for_, took * kCostFactor);
  entry->body = *body;
  return body;
}

}  // namespace jobsched::api
