#pragma once

#include <chrono>

#include "core/clock.hpp"

namespace jobsched::app {

// The real wall clock, in UTC milliseconds.
class SystemClock final : public core::Clock {
 public:
  core::TimePoint Now() const override {
    return std::chrono::floor<core::Milliseconds>(std::chrono::system_clock::now());
  }
};

}  // namespace jobsched::app
