#pragma once

#include <optional>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// How a failed or timed-out run is tried again: up to `max_attempts` attempts
// in all, waiting initial_delay, then twice that, and so on up to max_delay
// between them. `jitter` (0 to 1) takes up to that fraction off each wait at
// random, so runs that failed together do not all come back together.
struct RetryPolicy {
  int max_attempts = 1;  // 1: no retries
  Milliseconds initial_delay{10'000};
  Milliseconds max_delay{600'000};
  double jitter = 0.1;

  friend bool operator==(const RetryPolicy&, const RetryPolicy&) = default;
};

constexpr int kMaxRetryAttempts = 100;

// Checks the bounds: 1-100 attempts, delays from 1 ms to 24 h with
// initial_delay <= max_delay, jitter from 0 to 1. Fails with kInvalidArgument
// naming the field ("retry.max_attempts").
Result<void> ValidateRetryPolicy(const RetryPolicy& policy);

// The wait before attempt `next_attempt` (2 for the first retry), or nullopt
// when the policy allows no more attempts. `random01` is a number in [0, 1)
// the caller draws, so this stays a pure function.
std::optional<Milliseconds> RetryDelay(const RetryPolicy& policy, int next_attempt, double random01);

}  // namespace jobsched::core
