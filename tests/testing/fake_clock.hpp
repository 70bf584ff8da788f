#pragma once

#include <atomic>

#include "core/clock.hpp"

namespace jobsched::testing {

// A clock that moves only when the test says so.
class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(core::TimePoint start) : now_ms_(core::ToUnixMs(start)) {}

  core::TimePoint Now() const override { return core::FromUnixMs(now_ms_.load()); }
  void Advance(core::Milliseconds by) { now_ms_ += by.count(); }
  void Set(core::TimePoint to) { now_ms_ = core::ToUnixMs(to); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace jobsched::testing
