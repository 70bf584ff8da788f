#include "core/duration.hpp"

#include <array>
#include <cstdint>

namespace jobsched::core {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};

// Largest first: the order parts must appear in, and the order we print.
constexpr std::array<Unit, 6> kUnits{{
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

constexpr std::int64_t kMaxDurationMs = 10LL * 366 * 24 * 3600 * 1000;

}  // namespace

Result<Milliseconds> ParseDuration(std::string_view text, std::string_view field) {
  auto fail = [&](const std::string& why) {
    return Error::InvalidArgument(std::string(field), std::string(field) + ": '" + std::string(text.substr(0, 64)) +
                                                          "' is not a duration (" + why +
                                                          "); use e.g. \"30s\", \"15m\", \"1h30m\", \"1d\"");
  };
  if (text.empty()) return fail("empty");
  std::int64_t total = 0;
  std::size_t pos = 0;
  std::size_t next_unit = 0;  // units must come largest first, each once
  while (pos < text.size()) {
    if (text[pos] < '0' || text[pos] > '9') return fail("expected a number");
    std::int64_t number = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      number = number * 10 + (text[pos] - '0');
      if (number > kMaxDurationMs) return fail("too large");
      ++pos;
    }
    std::size_t unit_index = kUnits.size();
    // "ms" before "m": try the longer suffix first.
    if (text.substr(pos, 2) == "ms") {
      unit_index = 5;
    } else if (pos < text.size()) {
      for (std::size_t i = 0; i < 5; ++i) {
        if (text[pos] == kUnits[i].suffix[0]) unit_index = i;
      }
    }
    if (unit_index == kUnits.size()) return fail("missing or unknown unit, expected w, d, h, m, s or ms");
    if (unit_index < next_unit) return fail("units out of order or repeated");
    pos += kUnits[unit_index].suffix.size();
    next_unit = unit_index + 1;
    // Checked before multiplying: "300000000000w" must not wrap around.
    if (number > (kMaxDurationMs - total) / kUnits[unit_index].ms) return fail("longer than 10 years");
    total += number * kUnits[unit_index].ms;
    if (total > kMaxDurationMs) return fail("longer than 10 years");
  }
  if (total == 0) return fail("must be greater than zero");
  return Milliseconds{total};
}

std::string FormatDuration(Milliseconds duration) {
  std::int64_t remaining = duration.count();
  if (remaining <= 0) return "0s";
  std::string out;
  for (const Unit& unit : kUnits) {
    if (remaining >= unit.ms) {
      out += std::to_string(remaining / unit.ms);
      out += unit.suffix;
      remaining %= unit.ms;
    }
  }
  return out;
}

}  // namespace jobsched::core
