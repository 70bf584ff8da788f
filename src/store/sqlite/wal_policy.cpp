#include "store/sqlite/wal_policy.hpp"

#include <algorithm>

namespace jobsched::store::sqlite {

std::optional<std::chrono::milliseconds> WalPolicy::RestartWait(std::int64_t wal_bytes, TimePoint now) const {
  if (wal_bytes <= limits_.restart_bytes) return std::nullopt;
  if (retry_at_ && now < *retry_at_) return std::nullopt;
  return wal_bytes > limits_.urgent_bytes ? limits_.urgent_wait : limits_.wait;
}

void WalPolicy::Restarted() {
  retry_at_.reset();
  back_off_ = std::chrono::milliseconds{0};
}

void WalPolicy::Refused(TimePoint now) {
  back_off_ = back_off_.count() == 0 ? limits_.retry_after : std::min(back_off_ * 2, limits_.max_retry_after);
  retry_at_ = now + back_off_;
}

}  // namespace jobsched::store::sqlite
