#pragma once

#include "core/time.hpp"

namespace jobsched::core {

// The only way code below app/ learns the time. Production wires a system
// clock; tests hold a FakeClock and advance it by hand, so no test sleeps.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

}  // namespace jobsched::core
