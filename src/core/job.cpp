#include "core/job.hpp"

namespace jobsched::core {

std::string_view ToString(MisfirePolicy policy) {
  switch (policy) {
    case MisfirePolicy::kRunOnce: return "run_once";
    case MisfirePolicy::kSkip: return "skip";
    case MisfirePolicy::kRunAll: return "run_all";
  }
  return "run_once";
}

std::optional<MisfirePolicy> ParseMisfirePolicy(std::string_view text) {
  if (text == "run_once") return MisfirePolicy::kRunOnce;
  if (text == "skip") return MisfirePolicy::kSkip;
  if (text == "run_all") return MisfirePolicy::kRunAll;
  return std::nullopt;
}

std::string_view ToString(OverlapPolicy policy) {
  switch (policy) {
    case OverlapPolicy::kSkip: return "skip";
    case OverlapPolicy::kAllow: return "allow";
    case OverlapPolicy::kQueue: return "queue";
  }
  return "skip";
}

std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view text) {
  if (text == "skip") return OverlapPolicy::kSkip;
  if (text == "allow") return OverlapPolicy::kAllow;
  if (text == "queue") return OverlapPolicy::kQueue;
  return std::nullopt;
}

Milliseconds JitterDelay(const Job& job, TimePoint scheduled_for) {
  if (job.jitter.count() <= 0) return Milliseconds{0};
  // splitmix64 of (job, occurrence): cheap, and its low bits are well mixed.
  std::uint64_t x =
      static_cast<std::uint64_t>(job.id) * 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(ToUnixMs(scheduled_for));
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return Milliseconds{static_cast<std::int64_t>(x % (static_cast<std::uint64_t>(job.jitter.count()) + 1))};
}

}  // namespace jobsched::core
