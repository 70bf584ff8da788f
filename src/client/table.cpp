#include "client/table.hpp"

#include <algorithm>

namespace jobsched::client {
namespace {

std::size_t Width(const std::string& text) {
  // Every byte but UTF-8 continuation bytes starts a character.
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The largest unit that fits and the next one: "3h20m", "2d", "45s".
std::string TwoUnits(long long seconds) {
  struct Unit {
    long long seconds;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  constexpr std::size_t kCount = sizeof kUnits / sizeof kUnits[0];
  for (std::size_t i = 0; i < kCount; ++i) {
    if (seconds < kUnits[i].seconds && i + 1 < kCount) continue;
    std::string out = std::to_string(seconds / kUnits[i].seconds) + kUnits[i].name;
    if (i + 1 < kCount) {
      const long long rest = (seconds % kUnits[i].seconds) / kUnits[i + 1].seconds;
      if (rest > 0) out += std::to_string(rest) + kUnits[i + 1].name;
    }
    return out;
  }
  return "0s";
}

}  // namespace

std::string Table::Render(bool color) const {
  std::vector<std::size_t> widths;
  for (const std::string& header : headers_) widths.push_back(Width(header));
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], Width(row[i].text));
  }
  std::string out;
  auto line = [&](const std::vector<Cell>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      const bool last = i + 1 == cells.size();
      const std::string padding = last ? "" : std::string(widths[i] - Width(cells[i].text) + 2, ' ');
      if (color && !cells[i].color.empty()) {
        text += "\x1b[" + cells[i].color + "m" + cells[i].text + "\x1b[0m" + padding;
      } else {
        text += cells[i].text + padding;
      }
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  std::vector<Cell> header_cells;
  for (const std::string& header : headers_) header_cells.push_back({header, ""});
  line(header_cells);
  for (const auto& row : rows_) line(row);
  return out;
}

std::string Relative(core::TimePoint at, core::TimePoint now) {
  const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(at - now).count();
  if (seconds == 0) return "now";
  return seconds > 0 ? "in " + TwoUnits(seconds) : TwoUnits(-seconds) + " ago";
}

std::string When(core::TimePoint at, core::TimePoint now) {
  std::string absolute = core::FormatRfc3339(at);
  absolute[10] = ' ';
  return Relative(at, now) + " (" + absolute + ")";
}

std::string StateColor(std::string_view state) {
  if (state == "succeeded" || state == "active") return "32";
  if (state == "failed" || state == "timed_out") return "31";
  if (state == "queued" || state == "running") return "36";
  if (state == "paused" || state == "skipped" || state == "cancelled") return "33";
  return "";
}

}  // namespace jobsched::client
