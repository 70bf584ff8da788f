#include "core/job.hpp"

#include "core/enum_names.hpp"

namespace jobsched::core {
namespace {

constexpr EnumNames<MisfirePolicy, 3> kMisfireNames{
    {{MisfirePolicy::kRunOnce, "run_once"}, {MisfirePolicy::kSkip, "skip"}, {MisfirePolicy::kRunAll, "run_all"}}};

constexpr EnumNames<OverlapPolicy, 3> kOverlapNames{
    {{OverlapPolicy::kSkip, "skip"}, {OverlapPolicy::kAllow, "allow"}, {OverlapPolicy::kQueue, "queue"}}};

}  // namespace

std::string_view ToString(MisfirePolicy policy) { return NameOf(kMisfireNames, policy); }

std::optional<MisfirePolicy> ParseMisfirePolicy(std::string_view text) { return ValueOf(kMisfireNames, text); }

std::string_view ToString(OverlapPolicy policy) { return NameOf(kOverlapNames, policy); }

std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view text) { return ValueOf(kOverlapNames, text); }

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
