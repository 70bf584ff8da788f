#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// Parses a duration such as "30s", "15m", "1h30m", "1d", "1w" or "250ms":
// one or more <integer><unit> parts, units w, d, h, m, s, ms, each at most
// once and in that order. Zero and totals above 10 years are refused.
// Fails with kInvalidArgument naming `field`.
Result<Milliseconds> ParseDuration(std::string_view text, std::string_view field);

// The canonical spelling of a duration, largest units first: 5400000 ms ->
// "1h30m". ParseDuration(FormatDuration(d)) == d for every positive d.
std::string FormatDuration(Milliseconds duration);

}  // namespace jobsched::core
