#include "executor/compute/monte_carlo_pi.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace jobsched::executor::compute {
namespace {

// About 5 ms of work between deadline checks.
constexpr std::int64_t kSamplesPerCheck = 1 << 20;

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t RotateLeft(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256** (Blackman and Vigna): fast, and far better than the
// statistics of a Monte Carlo estimate can tell.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    // SplitMix64 spreads any seed, including 0, over the whole state, which
    // must not be all zero.
    for (std::uint64_t& word : state_) word = SplitMix64(seed);
  }

  std::uint64_t Next() {
    const std::uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), from the top 53 bits.
  double NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace

std::optional<PiEstimate> EstimatePi(std::int64_t samples, std::uint64_t seed, const Interrupt& interrupt) {
  Xoshiro256 random(seed);
  std::int64_t inside = 0;
  for (std::int64_t done = 0; done < samples;) {
    if (interrupt.Requested()) return std::nullopt;
    const std::int64_t batch_end = std::min(samples, done + kSamplesPerCheck);
    for (; done < batch_end; ++done) {
      const double x = random.NextUnit();
      const double y = random.NextUnit();
      if (x * x + y * y < 1.0) ++inside;
    }
  }
  const double estimate = samples > 0 ? 4.0 * static_cast<double>(inside) / static_cast<double>(samples) : 0.0;
  return PiEstimate{samples, inside, estimate};
}

std::string DescribePiEstimate(const PiEstimate& estimate, std::uint64_t seed) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "{\"samples\":%lld,\"inside\":%lld,\"estimate\":%.10f,\"seed\":%llu}",
                static_cast<long long>(estimate.samples), static_cast<long long>(estimate.inside), estimate.estimate,
                static_cast<unsigned long long>(seed));
  return buffer;
}

}  // namespace jobsched::executor::compute
