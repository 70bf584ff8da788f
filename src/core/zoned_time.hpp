#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// `t` as the wall-clock time of the IANA zone `zone` with that zone's UTC
// offset at that instant, in RFC 3339: "2026-03-29T03:00:00+02:00" for
// 2026-03-29T01:00:00Z in Europe/Berlin (".250" when the milliseconds are
// not zero; "+00:00" for a zero offset). DST-correct: the offset is the one
// in force at `t`. Fails with kInvalidArgument naming `field` when the zone
// is unknown.
Result<std::string> FormatRfc3339InZone(TimePoint t, std::string_view zone, std::string_view field);

// Succeeds when `zone` is an IANA time zone name the tz database knows.
// Fails with kInvalidArgument naming `field` otherwise.
Result<void> CheckTimeZone(std::string_view zone, std::string_view field);

}  // namespace jobsched::core
