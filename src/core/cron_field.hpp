#pragma once

// The fields of a cron expression: what each of the six accepts, parsing one
// field's list into the values it selects, and splitting an expression into
// its fields. The pieces CronExpression::Parse is built from; the syntax is
// described above CronExpression.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/result.hpp"

namespace jobsched::core::cron {

// What one of the six fields accepts.
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  int value_count;                          // largest sensible step
  std::span<const std::string_view> names;  // names[i] stands for first_named + i
  int first_named;
  bool allows_question;  // `?` as `*` (day-of-month, day-of-week)
  bool allows_last;      // `L`, `L-n` (day-of-month)
};

inline constexpr std::array<std::string_view, 12> kMonthNames{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                              "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
inline constexpr std::array<std::string_view, 7> kDayNames{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

inline constexpr FieldSpec kSecond{"second", 0, 59, 60, {}, 0, false, false};
inline constexpr FieldSpec kMinute{"minute", 0, 59, 60, {}, 0, false, false};
inline constexpr FieldSpec kHour{"hour", 0, 23, 24, {}, 0, false, false};
inline constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, 31, {}, 0, true, true};
inline constexpr FieldSpec kMonth{"month", 1, 12, 12, kMonthNames, 1, false, false};
inline constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, 7, kDayNames, 0, true, false};

inline constexpr int kMaxFields = 6;

// The values one field selected.
struct FieldValues {
  std::uint64_t bits = 0;          // bit v set: value v matches
  std::uint32_t last_offsets = 0;  // day-of-month: bit n set for "L-n" ("L" is n = 0)
  bool restricted = true;          // false for a bare `*` or `?`
};

// kInvalidArgument for the field "cron", its message starting "cron: ".
Error CronError(std::string message);

// 'text', for error messages.
std::string Quoted(std::string_view text);

// Parses one field's comma-separated list. Fails with a CronError naming the
// field and the offending element.
Result<FieldValues> ParseField(std::string_view text, const FieldSpec& spec);

// Splits on whitespace into at most kMaxFields views; returns how many fields
// there are, also beyond kMaxFields, so the error can say so.
int SplitFields(std::string_view text, std::array<std::string_view, kMaxFields>& fields);

}  // namespace jobsched::core::cron
