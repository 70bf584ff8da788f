#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace jobsched::store {

// Column lists of SELECTs (and RETURNINGs) whose rows each database's row
// readers (sqlite_rows, pg_rows) take in this order: both databases have
// the same tables, column for column (see the migrations).
extern const std::string_view kJobColumns;
constexpr int kJobColumnCount = 26;
extern const std::string_view kRunColumns;
constexpr int kRunColumnCount = 14;
extern const std::string_view kKeyColumns;  // api_keys, read by each store's KeyFromRow

// Nullable times as stored: milliseconds since the epoch, or NULL.
std::optional<core::TimePoint> OptionalTime(std::optional<std::int64_t> ms);
std::optional<std::int64_t> OptionalMs(std::optional<core::TimePoint> time);
// Nullable durations as stored: milliseconds, or NULL.
std::optional<std::int64_t> OptionalMs(std::optional<core::Milliseconds> duration);

}  // namespace jobsched::store
