#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/annotated_mutex.hpp"
#include "core/time.hpp"

namespace jobsched::api {

// A token bucket holding up to `limit` requests that refills continuously at
// `limit` per `window`: a client may burst the whole limit at once, and then
// goes on at limit/window. Pure arithmetic on the times it is handed (no
// clock of its own), exact in integers: the level is kept in "request-
// milliseconds", where one request costs `window` units and every
// millisecond adds `limit` units.
class TokenBucket {
 public:
  // A full bucket at `now`.
  TokenBucket(std::int64_t limit, core::Milliseconds window, core::TimePoint now);

  struct Decision {
    bool allowed = false;
    std::int64_t limit = 0;      // RateLimit-Limit
    std::int64_t remaining = 0;  // RateLimit-Remaining: requests that would pass right now
    // RateLimit-Reset: seconds until the bucket is full again (rounded up).
    std::int64_t reset_s = 0;
    // Retry-After when refused: seconds until one request passes (rounded up, at least 1).
    std::int64_t retry_after_s = 0;
  };

  // Takes one request's worth if there is one. `now` before the last call
  // (a clock stepped back) counts as no time passing.
  Decision Take(core::TimePoint now);

  // Whether the bucket would be full at `now`: then it is no different from
  // a new one, and may be forgotten.
  bool FullAt(core::TimePoint now) const;

  // Adopts a new limit (a key's limit changed): the level is capped to it.
  void SetLimit(std::int64_t limit);

 private:
  void Refill(core::TimePoint now);

  std::int64_t limit_;
  std::int64_t window_ms_;
  std::int64_t level_;  // units: limit_ * window_ms_ when full
  core::TimePoint last_;
};

struct RateLimiterOptions {
  // Requests per window for a client without a limit of its own; 0 turns
  // rate limiting off.
  std::int64_t default_limit = 6000;
  core::Milliseconds window{60'000};
  // Buckets per shard before idle (full) ones are swept out, and the most a
  // shard keeps even when none is idle: memory stays bounded when a flood
  // of client addresses arrives; a bucket dropped early only lets its client
  // start afresh.
  std::size_t sweep_above = 4096;
  std::size_t max_per_shard = 65536;
};

// Token buckets by client ("key:NAME" for an API key, "addr:IP" for an
// anonymous caller), in 16 shards, each behind its own mutex held only for
// the arithmetic: cheap on the hot path and safe from any thread. Buckets
// that have filled up again are swept out as a shard grows; a full bucket is
// the same as a new one, so forgetting it changes nothing.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options);

  // Charges one request to `client` with `limit` per window (0: no limit,
  // and the decision says allowed with limit 0).
  TokenBucket::Decision Take(std::string_view client, std::int64_t limit, core::TimePoint now);

  const RateLimiterOptions& options() const { return options_; }

  // Buckets held, over all shards (for tests).
  std::size_t BucketCountForTest() const;

 private:
  // Lets find() take a string_view: no allocation for a client seen before.
  struct ClientHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view client) const { return std::hash<std::string_view>{}(client); }
  };
  struct Shard {
    mutable core::Mutex mutex;
    std::unordered_map<std::string, TokenBucket, ClientHash, std::equal_to<>> buckets GUARDED_BY(mutex);
  };
  static constexpr std::size_t kShards = 16;

  void Sweep(Shard& shard, core::TimePoint now) const REQUIRES(shard.mutex);

  const RateLimiterOptions options_;
  std::array<Shard, kShards> shards_;
};

// The client an anonymous request is charged to: its address, with an IPv6
// address cut to its /64 (one host usually holds a whole /64, so counting
// single addresses would let it multiply its limit). "addr:unknown" when the
// address cannot be read.
std::string AnonymousClient(std::string_view remote_address);

}  // namespace jobsched::api
