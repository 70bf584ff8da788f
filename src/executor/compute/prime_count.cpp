#include "executor/compute/prime_count.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace jobsched::executor::compute {
namespace {

// One byte per odd number; 256 KiB fits a typical L2 cache, where the inner
// marking loop runs several times faster than from memory.
constexpr std::int64_t kSegmentBytes = 256 * 1024;

std::int64_t IntegerSqrt(std::int64_t n) {
  auto root = static_cast<std::int64_t>(std::sqrt(static_cast<double>(n)));
  while (root * root > n) --root;
  while ((root + 1) * (root + 1) <= n) ++root;
  return root;
}

// Odd primes up to `limit`, by a plain sieve (limit is at most ~45,000).
std::vector<std::int64_t> OddPrimesUpTo(std::int64_t limit) {
  std::vector<bool> composite(static_cast<std::size_t>(limit + 1), false);
  std::vector<std::int64_t> primes;
  for (std::int64_t i = 3; i <= limit; i += 2) {
    if (composite[static_cast<std::size_t>(i)]) continue;
    primes.push_back(i);
    for (std::int64_t j = i * i; j <= limit; j += 2 * i) composite[static_cast<std::size_t>(j)] = true;
  }
  return primes;
}

}  // namespace

std::optional<std::int64_t> CountPrimes(std::int64_t n, const Interrupt& interrupt) {
  if (n < 2) return 0;
  const std::vector<std::int64_t> primes = OddPrimesUpTo(IntegerSqrt(n));
  // Index k stands for the odd number 2k + 1; k = 0 (the number 1) is skipped.
  const std::int64_t last_index = (n - 1) / 2;
  // The next index to cross off for each prime, carried across segments. The
  // first multiple worth crossing is p*p: smaller ones have a smaller factor.
  std::vector<std::int64_t> next;
  next.reserve(primes.size());
  for (const std::int64_t p : primes) next.push_back((p * p - 1) / 2);

  std::int64_t count = 1;  // the prime 2
  std::vector<char> is_prime(static_cast<std::size_t>(kSegmentBytes));
  for (std::int64_t low = 1; low <= last_index; low += kSegmentBytes) {
    if (interrupt.Requested()) return std::nullopt;
    const std::int64_t high = std::min(low + kSegmentBytes, last_index + 1);  // exclusive
    std::fill(is_prime.begin(), is_prime.begin() + (high - low), 1);
    for (std::size_t i = 0; i < primes.size(); ++i) {
      // Consecutive odd multiples of p are 2p apart, that is p indices apart.
      const std::int64_t step = primes[i];
      std::int64_t k = next[i];
      for (; k < high; k += step) is_prime[static_cast<std::size_t>(k - low)] = 0;
      next[i] = k;
    }
    count += std::count(is_prime.begin(), is_prime.begin() + (high - low), 1);
  }
  return count;
}

}  // namespace jobsched::executor::compute
