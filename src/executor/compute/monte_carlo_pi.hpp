#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "executor/compute/interrupt.hpp"

namespace jobsched::executor::compute {

struct PiEstimate {
  std::int64_t samples = 0;
  std::int64_t inside = 0;  // samples that fell inside the quarter circle
  double estimate = 0;      // 4 * inside / samples
};

// Estimates pi from `samples` random points in the unit square, or nullopt
// when `interrupt` fired first. The points come from xoshiro256** seeded with
// `seed`, so the same seed always gives the same estimate.
std::optional<PiEstimate> EstimatePi(std::int64_t samples, std::uint64_t seed, const Interrupt& interrupt);

// The run output: {"samples":..,"inside":..,"estimate":3.14..,"seed":..}.
std::string DescribePiEstimate(const PiEstimate& estimate, std::uint64_t seed);

}  // namespace jobsched::executor::compute
