#pragma once

#include <string>
#include <vector>

#include "core/time.hpp"

namespace jobsched::client {

// One cell of a table: its text and, on a terminal that takes colour, an
// ANSI SGR colour code ("32" green, "31" red, "33" yellow, "36" cyan).
struct Cell {
  std::string text;
  std::string color;
};

// Aligned columns under upper-case headers, two spaces apart, for a person
// to read. Widths count characters (UTF-8 code points), not bytes; colour
// codes are added after padding and only when `color` is on.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  std::string Render(bool color) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

// How far `at` is from `now`, for a person: "in 3h20m", "5m ago", "now"
// (within a second); at most two units ("2d3h"), seconds only under a minute.
std::string Relative(core::TimePoint at, core::TimePoint now);

// "in 3h20m (2026-11-30 10:00:00Z)": relative, then absolute in UTC.
std::string When(core::TimePoint at, core::TimePoint now);

// The colour a run or job state shows in: succeeded and active green;
// failed and timed_out red; queued and running cyan; paused, skipped and
// cancelled yellow; "" for anything else.
std::string StateColor(std::string_view state);

}  // namespace jobsched::client
