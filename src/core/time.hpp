#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::core {

// Every instant inside jobsched: UTC, millisecond precision. Stored as
// milliseconds since the Unix epoch, spoken in the API as RFC 3339 with `Z`.
using Milliseconds = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Milliseconds>;

inline std::int64_t ToUnixMs(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMs(std::int64_t ms) { return TimePoint{Milliseconds{ms}}; }

// "2026-03-29T01:00:00Z", or with ".250" when the milliseconds are not zero.
std::string FormatRfc3339(TimePoint t);
// The same, appended to `out`: encoders write several per object and a
// string of 24 characters each would be one allocation apiece.
void AppendRfc3339(std::string& out, TimePoint t);

// Accepts RFC 3339 date-times with `Z` or a numeric offset ("+02:00") and up
// to nanosecond fractions (truncated to milliseconds). Years 1970-9999 only.
// Fails with kInvalidArgument naming `field`.
Result<TimePoint> ParseRfc3339(std::string_view text, std::string_view field);

}  // namespace jobsched::core
