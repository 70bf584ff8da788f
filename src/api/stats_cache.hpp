#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// Answers of GET /stats kept briefly per key (window and namespace), so that
// many open consoles, each reloading on every run event, cost the database
// one read per key every `keep_for` rather than one per request. An answer
// that took long to compute (a week of many runs) is kept kCostFactor times
// as long as it took, if that is longer: however large the database, these
// reads then keep a reader busy at most 1/kCostFactor of the time per key.
// Safe to call from any thread; `clock` must outlive the cache.
class StatsCache {
 public:
  using Compute = std::function<core::Result<std::string>(core::TimePoint now)>;

  static constexpr int kCostFactor = 10;

  // `keep_for`: how long an answer is served after it was computed (the
  // staleness a console may see); `max_keys`: past this many keys, the
  // cache starts afresh, so arbitrary namespaces cannot grow it.
  StatsCache(const core::Clock& clock, core::Milliseconds keep_for, std::size_t max_keys = 64)
      : clock_(clock), keep_for_(keep_for), max_keys_(max_keys) {}

  // The answer for `key` if it was computed less than keep_for (or
  // kCostFactor times its computation's duration) ago; else `compute`'s, run
  // on the calling thread with now from the clock, kept when it succeeds (an
  // error is never kept). While one caller computes a key, the others get
  // the key's previous answer at once rather than wait (handlers run on the
  // server's threads: a week's read must not hold them all); only callers of
  // a key with no answer yet wait, and share the one computed.
  core::Result<std::string> Get(const std::string& key, const Compute& compute);

 private:
  struct Entry {
    core::Mutex mutex;
    std::condition_variable computed;  // notified when `computing` ends
    bool computing GUARDED_BY(mutex) = false;
    std::optional<core::TimePoint> computed_at GUARDED_BY(mutex);  // of `body`; nullopt before the first answer
    core::Milliseconds kept_for GUARDED_BY(mutex){0};              // keep_for, or longer for a costly answer
    std::string body GUARDED_BY(mutex);
  };
  std::shared_ptr<Entry> EntryFor(const std::string& key);

  const core::Clock& clock_;
  const core::Milliseconds keep_for_;
  const std::size_t max_keys_;
  core::Mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_ GUARDED_BY(mutex_);
};

}  // namespace jobsched::api
