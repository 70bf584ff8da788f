#include "core/cron_field.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "core/text.hpp"

namespace jobsched::core::cron {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error FieldError(const FieldSpec& spec, std::string_view detail) {
  return CronError(std::string(spec.name) + " field: " + std::string(detail));
}

std::string RangeText(int min, int max) { return std::to_string(min) + "-" + std::to_string(max); }

// A non-negative decimal number, or nullopt when `text` is not all digits.
// Saturates instead of overflowing; callers range-check the result.
std::optional<int> ParseNumber(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), IsDigit)) return std::nullopt;
  if (text.size() > 9) return 1'000'000'000;
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// One value of a field: a number or, where the field has them, a name.
Result<int> ParseValue(std::string_view text, const FieldSpec& spec) {
  for (std::size_t i = 0; i < spec.names.size(); ++i) {
    if (EqualsIgnoringCase(text, spec.names[i])) return spec.first_named + static_cast<int>(i);
  }
  const auto number = ParseNumber(text);
  if (!number) return FieldError(spec, "bad value " + Quoted(text));
  if (*number < spec.min || *number > spec.max) {
    return FieldError(spec, "value " + std::string(text) + " out of range " + RangeText(spec.min, spec.max));
  }
  return *number;
}

// "L" or "L-n" in day-of-month.
Result<void> ParseLast(std::string_view element, const FieldSpec& spec, FieldValues& values) {
  if (element.find('/') != std::string_view::npos) {
    return FieldError(spec, Quoted(element) + " cannot take a step");
  }
  int offset = 0;
  if (element.size() > 1) {
    const auto number = element[1] == '-' ? ParseNumber(element.substr(2)) : std::nullopt;
    if (!number) return FieldError(spec, "bad value " + Quoted(element));
    if (*number > 30) {
      return FieldError(spec, "offset in " + Quoted(element) + " out of range 0-30");
    }
    offset = *number;
  }
  values.last_offsets |= std::uint32_t{1} << offset;
  return Ok();
}

// One list element: `*`, `a`, `a-b`, each optionally followed by `/step`.
Result<void> ParseElement(std::string_view element, const FieldSpec& spec, FieldValues& values) {
  if (spec.allows_last && !element.empty() && (element[0] == 'L' || element[0] == 'l')) {
    return ParseLast(element, spec, values);
  }
  const auto slash = element.find('/');
  const std::string_view range = element.substr(0, slash);
  int first = spec.min;
  int last = spec.max;
  if (range != "*" && !(spec.allows_question && range == "?")) {
    const auto dash = range.find('-');
    if (range.empty() || dash == 0 || dash + 1 == range.size()) {
      return FieldError(spec, "bad value " + Quoted(element));
    }
    auto low = ParseValue(range.substr(0, dash), spec);
    if (!low) return low.error();
    first = *low;
    if (dash != std::string_view::npos) {
      auto high = ParseValue(range.substr(dash + 1), spec);
      if (!high) return high.error();
      last = *high;
      if (first > last) {
        return FieldError(spec, "range " + std::string(range) + " goes backwards");
      }
    } else if (slash == std::string_view::npos) {
      last = first;  // a single value; "a/n" keeps last = max
    }
  }
  int step = 1;
  if (slash != std::string_view::npos) {
    const std::string_view step_text = element.substr(slash + 1);
    const auto number = ParseNumber(step_text);
    if (!number) return FieldError(spec, "bad step " + Quoted(step_text));
    if (*number < 1 || *number > spec.value_count) {
      return FieldError(spec, "step " + std::string(step_text) + " out of range " + RangeText(1, spec.value_count));
    }
    step = *number;
  }
  for (int v = first; v <= last; v += step) values.bits |= std::uint64_t{1} << v;
  return Ok();
}

}  // namespace

Error CronError(std::string message) { return Error::InvalidArgument("cron", "cron: " + std::move(message)); }

// 'text', appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "'" + std::string.
std::string Quoted(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '\'';
  quoted += text;
  quoted += '\'';
  return quoted;
}

Result<FieldValues> ParseField(std::string_view text, const FieldSpec& spec) {
  FieldValues values;
  values.restricted = !(text == "*" || (spec.allows_question && text == "?"));
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = text.find(',', begin);
    const std::string_view element = text.substr(begin, comma - begin);
    if (element.empty()) {
      return FieldError(spec, "empty list element in " + Quoted(text));
    }
    if (auto parsed = ParseElement(element, spec, values); !parsed) return parsed.error();
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return values;
}

int SplitFields(std::string_view text, std::array<std::string_view, kMaxFields>& fields) {
  int count = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (count < kMaxFields) fields[count] = text.substr(start, i - start);
    ++count;
  }
  return count;
}

}  // namespace jobsched::core::cron
