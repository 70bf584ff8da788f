#include "api/rate_limiter.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace jobsched::api {
namespace {

std::int64_t CeilDiv(std::int64_t numerator, std::int64_t denominator) {
  return numerator <= 0 ? 0 : (numerator + denominator - 1) / denominator;
}

}  // namespace

TokenBucket::TokenBucket(std::int64_t limit, core::Milliseconds window, core::TimePoint now)
    : limit_(std::max<std::int64_t>(limit, 1)),
      window_ms_(std::max<std::int64_t>(window.count(), 1)),
      level_(limit_ * window_ms_),
      last_(now) {}

void TokenBucket::Refill(core::TimePoint now) {
  const std::int64_t capacity = limit_ * window_ms_;
  const std::int64_t elapsed_ms = (now - last_).count();
  if (elapsed_ms <= 0) return;  // the same millisecond, or a clock stepped back
  last_ = now;
  // Capped before multiplying: more than a window refills everything, and
  // the product stays far from overflowing.
  level_ = std::min(capacity, level_ + std::min(elapsed_ms, window_ms_) * limit_);
}

TokenBucket::Decision TokenBucket::Take(core::TimePoint now) {
  Refill(now);
  Decision decision;
  decision.limit = limit_;
  decision.allowed = level_ >= window_ms_;
  if (decision.allowed) level_ -= window_ms_;
  decision.remaining = level_ / window_ms_;
  const std::int64_t capacity = limit_ * window_ms_;
  decision.reset_s = CeilDiv(CeilDiv(capacity - level_, limit_), 1000);
  if (!decision.allowed) {
    decision.retry_after_s = std::max<std::int64_t>(1, CeilDiv(CeilDiv(window_ms_ - level_, limit_), 1000));
  }
  return decision;
}

bool TokenBucket::FullAt(core::TimePoint now) const {
  const std::int64_t elapsed_ms = std::max<std::int64_t>(0, (now - last_).count());
  return level_ + std::min(elapsed_ms, window_ms_) * limit_ >= limit_ * window_ms_;
}

void TokenBucket::SetLimit(std::int64_t limit) {
  limit = std::max<std::int64_t>(limit, 1);
  if (limit == limit_) return;
  // Keep the requests left, within the new capacity.
  const std::int64_t remaining = level_ / window_ms_;
  limit_ = limit;
  level_ = std::min(remaining, limit_) * window_ms_;
}

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options) {}

TokenBucket::Decision RateLimiter::Take(std::string_view client, std::int64_t limit, core::TimePoint now) {
  if (limit <= 0) return TokenBucket::Decision{true, 0, 0, 0, 0};
  // The shard from the hash's high bits; the map inside uses all of them.
  Shard& shard = shards_[(ClientHash{}(client) >> 32) % kShards];
  core::MutexLock lock(shard.mutex);
  auto found = shard.buckets.find(client);
  if (found == shard.buckets.end()) {
    if (shard.buckets.size() >= options_.sweep_above) Sweep(shard, now);
    found = shard.buckets.emplace(std::string(client), TokenBucket(limit, options_.window, now)).first;
  } else {
    found->second.SetLimit(limit);
  }
  return found->second.Take(now);
}

void RateLimiter::Sweep(Shard& shard, core::TimePoint now) const {
  std::erase_if(shard.buckets, [now](const auto& entry) { return entry.second.FullAt(now); });
  // Still too many busy clients (a flood of addresses): make room anyway.
  // The clients whose buckets go start over with a full one.
  while (shard.buckets.size() >= options_.max_per_shard) shard.buckets.erase(shard.buckets.begin());
}

std::size_t RateLimiter::BucketCountForTest() const {
  std::size_t count = 0;
  for (const Shard& shard : shards_) {
    core::MutexLock lock(shard.mutex);
    count += shard.buckets.size();
  }
  return count;
}

std::string AnonymousClient(std::string_view remote_address) {
  const std::string address(remote_address);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, address.c_str(), bytes) == 1) return "addr:" + address;
  if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return "addr:unknown";
  // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 address.
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  char text[INET6_ADDRSTRLEN];
  if (std::equal(kMapped, kMapped + 12, bytes)) {
    inet_ntop(AF_INET, bytes + 12, text, sizeof text);
    return "addr:" + std::string(text);
  }
  std::fill(bytes + 8, bytes + 16, 0);
  inet_ntop(AF_INET6, bytes, text, sizeof text);
  return "addr:" + std::string(text) + "/64";
}

}  // namespace jobsched::api
