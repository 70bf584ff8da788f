#pragma once

#include <cstdint>
#include <optional>

#include "executor/compute/interrupt.hpp"

namespace jobsched::executor::compute {

// pi(n): how many primes are <= n (0 for n < 2), or nullopt when `interrupt`
// fired first. A segmented sieve of Eratosthenes over odd numbers: memory is
// O(sqrt n) plus one cache-sized segment; 2e9 takes a few seconds on one core.
std::optional<std::int64_t> CountPrimes(std::int64_t n, const Interrupt& interrupt);

}  // namespace jobsched::executor::compute
