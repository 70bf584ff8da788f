#pragma once

#include <string_view>

#include "core/time.hpp"

namespace jobsched::testing {

// "2026-03-29T01:00:00Z" as a TimePoint; aborts the test binary on a typo,
// since a bad literal is a bug in the test, not a case under test.
core::TimePoint At(std::string_view rfc3339);

}  // namespace jobsched::testing
