#include "core/retry_policy.hpp"

#include <algorithm>
#include <string>

namespace jobsched::core {

Result<void> ValidateRetryPolicy(const RetryPolicy& policy) {
  if (policy.max_attempts < 1 || policy.max_attempts > kMaxRetryAttempts) {
    return Error::InvalidArgument("retry.max_attempts", "retry.max_attempts: must be from 1 to 100");
  }
  const Milliseconds kDay{24LL * 3600 * 1000};
  if (policy.initial_delay.count() < 1 || policy.initial_delay > kDay) {
    return Error::InvalidArgument("retry.initial_delay", "retry.initial_delay: must be from 1ms to 24h");
  }
  if (policy.max_delay < policy.initial_delay || policy.max_delay > kDay) {
    return Error::InvalidArgument("retry.max_delay", "retry.max_delay: must be from initial_delay to 24h");
  }
  if (!(policy.jitter >= 0.0 && policy.jitter <= 1.0)) {
    return Error::InvalidArgument("retry.jitter", "retry.jitter: must be from 0 to 1");
  }
  return Ok();
}

std::optional<Milliseconds> RetryDelay(const RetryPolicy& policy, int next_attempt, double random01) {
  if (next_attempt < 2 || next_attempt > policy.max_attempts) return std::nullopt;
  // Doubling stops at max_delay; 40 doublings exceed any allowed delay.
  Milliseconds delay = policy.initial_delay;
  for (int i = 2; i < next_attempt && delay < policy.max_delay && i < 42; ++i) delay *= 2;
  delay = std::min(delay, policy.max_delay);
  const double kept = 1.0 - policy.jitter * std::clamp(random01, 0.0, 1.0);
  return std::max(Milliseconds{1}, Milliseconds{static_cast<std::int64_t>(static_cast<double>(delay.count()) * kept)});
}

}  // namespace jobsched::core
