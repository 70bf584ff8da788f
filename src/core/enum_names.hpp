#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace jobsched::core {

// How an enum is spelled in the API and the databases: one table of
// (value, name) pairs per enum, read both ways, so a value's name is written
// once. The tables are short; a scan beats a map at this size.
template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The name of `value`; "unknown" for a value the table lacks (a cast integer).
template <typename Enum, std::size_t N>
constexpr std::string_view NameOf(const EnumNames<Enum, N>& names, Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return "unknown";
}

// The value named `text` exactly, or nullopt.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> ValueOf(const EnumNames<Enum, N>& names, std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace jobsched::core
