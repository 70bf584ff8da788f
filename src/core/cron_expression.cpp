#include "core/cron_expression.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <limits>
#include <span>
#include <utility>

#include "core/cron_field.hpp"
#include "core/text.hpp"

namespace jobsched::core {
namespace {

using cron::CronError;
using cron::FieldValues;
using cron::kMaxFields;
using cron::Quoted;
using cron::SplitFields;
using std::chrono::seconds;

struct Macro {
  std::string_view name;
  std::string_view expansion;
};

constexpr std::array<Macro, 7> kMacros{{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

// Leap years repeat at most every eight years (2096 -> 2104), so a valid
// expression fires within nine calendar years of any starting point.
constexpr int kSearchYears = 9;
constexpr int kLastYear = 9999;

unsigned DaysInMonth(int year, unsigned month) {
  return static_cast<unsigned>(
      date::year_month_day_last{date::year{year}, date::month_day_last{date::month{month}}}.day());
}

// Bit d set when day d (1-31) of a month of `length` days, whose 1st falls on
// `first_weekday` (0 = Sunday), fires.
// The days 1..length.
std::uint32_t DaysOf(unsigned length) {
  return static_cast<std::uint32_t>(((std::uint64_t{1} << (length + 1)) - 1) & ~std::uint64_t{1});
}

// Bit d (1..37) set when the weekday of day d is selected, for a month whose
// 1st is a Sunday: shifting it right by the 1st's weekday gives any month's.
std::uint64_t WeekdayPattern(const FieldValues& day_of_week) {
  std::uint64_t pattern = 0;
  for (unsigned day = 1; day <= 31 + 6; ++day) {
    if (((day_of_week.bits >> ((day - 1) % 7)) & 1) != 0) pattern |= std::uint64_t{1} << day;
  }
  return pattern;
}

// The days of a month of `length` days whose 1st is `first_weekday` (0 =
// Sunday) on which the day fields fire: as cron does, either field when both
// are restricted, else both. Bit operations, not a walk over the days: a
// stored job's expression is parsed each time its row is read.
std::uint32_t DayMask(const FieldValues& day_of_month, std::uint64_t weekday_pattern, bool week_restricted,
                      unsigned length, unsigned first_weekday) {
  const std::uint32_t days = DaysOf(length);
  std::uint32_t dom = static_cast<std::uint32_t>(day_of_month.bits) & days;
  for (std::uint32_t offsets = day_of_month.last_offsets; offsets != 0; offsets &= offsets - 1) {
    const unsigned offset = static_cast<unsigned>(std::countr_zero(offsets));
    if (offset < length) dom |= std::uint32_t{1} << (length - offset);
  }
  const auto dow = static_cast<std::uint32_t>(weekday_pattern >> first_weekday) & days;
  return day_of_month.restricted && week_restricted ? (dom | dow) : (dom & dow);
}

// Whether some selected month has a day that fires. Fields other than the day
// ones always select something, so this is the only way an expression that
// parsed can never fire. Every weekday of the 1st occurs for every month
// length, so looking at all masks of the month's possible lengths is exact.
bool SomeMonthHasAFiringDay(std::uint32_t months, const std::array<std::array<std::uint32_t, 7>, 4>& day_masks) {
  for (unsigned month = 1; month <= 12; ++month) {
    if (((months >> month) & 1) == 0) continue;
    const unsigned shortest = month == 2 ? 28 : DaysInMonth(2001, month);
    const unsigned longest = month == 2 ? 29 : shortest;
    for (unsigned length = shortest; length <= longest; ++length) {
      for (const std::uint32_t mask : day_masks[length - 28]) {
        if (mask != 0) return true;
      }
    }
  }
  return false;
}

// Smallest set bit of `mask` at or above `from`, or -1.
int NextBit(std::uint64_t mask, int from) {
  if (from >= 64) return -1;
  const std::uint64_t rest = mask & (~std::uint64_t{0} << from);
  return rest == 0 ? -1 : std::countr_zero(rest);
}

// The first second of a day at or after `second_of_day` whose hour, minute
// and second all match, or -1 when the rest of the day has none.
int NextSecondOfDay(std::uint32_t hours, std::uint64_t minutes, std::uint64_t seconds, int second_of_day) {
  int hour = second_of_day / 3600;
  int minute = second_of_day / 60 % 60;
  int second = second_of_day % 60;
  while (true) {
    const int next_hour = NextBit(hours, hour);
    if (next_hour < 0) return -1;
    if (next_hour != hour) {
      hour = next_hour;
      minute = second = 0;
    }
    const int next_minute = NextBit(minutes, minute);
    if (next_minute < 0) {
      ++hour;
      minute = second = 0;
      continue;
    }
    if (next_minute != minute) {
      minute = next_minute;
      second = 0;
    }
    const int next_second = NextBit(seconds, second);
    if (next_second < 0) {
      ++minute;
      second = 0;
      continue;
    }
    return hour * 3600 + minute * 60 + next_second;
  }
}

// The expansion of the macro `name` ("@daily"), which must stand alone.
Result<std::string_view> ExpandMacro(std::string_view name, int field_count) {
  const auto macro =
      std::find_if(kMacros.begin(), kMacros.end(), [&](const Macro& m) { return EqualsIgnoringCase(m.name, name); });
  if (macro == kMacros.end()) {
    return CronError("unknown macro " + Quoted(name) +
                     " (expected @yearly, @annually, @monthly, @weekly, @daily, "
                     "@midnight or @hourly)");
  }
  if (field_count != 1) {
    return CronError("macro " + std::string(macro->name) + " takes no further fields");
  }
  return macro->expansion;
}

// The values of all six fields, second first, from 5 or 6 `fields`: five
// leave the second at 0. Day-of-week 7 becomes 0 (both are Sunday).
Result<std::array<FieldValues, kMaxFields>> ParseFields(const std::array<std::string_view, kMaxFields>& fields,
                                                        int field_count) {
  using namespace cron;
  const int skipped = field_count == 6 ? 0 : 1;
  const std::array<const FieldSpec*, kMaxFields> specs{&kSecond, &kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
  std::array<FieldValues, kMaxFields> values;
  values[0].bits = 1;
  for (int i = skipped; i < kMaxFields; ++i) {
    auto parsed = ParseField(fields[i - skipped], *specs[i]);
    if (!parsed) return parsed.error();
    values[i] = *parsed;
  }
  FieldValues& day_of_week = values[5];
  if ((day_of_week.bits >> 7) & 1) day_of_week.bits = (day_of_week.bits | 1) & 0x7f;  // 7 = Sunday
  return values;
}

}  // namespace

Result<CronExpression> CronExpression::Parse(std::string_view text) {
  std::array<std::string_view, kMaxFields> fields;
  const int field_count = SplitFields(text, fields);
  if (field_count == 0) return CronError("expression is empty");

  if (fields[0].starts_with('@')) {
    const Result<std::string_view> expansion = ExpandMacro(fields[0], field_count);
    if (!expansion) return expansion.error();
    auto expanded = Parse(*expansion);
    if (expanded) expanded->text_ = std::string(text);
    return expanded;
  }
  if (field_count != 5 && field_count != 6) {
    return CronError("expected 5 or 6 fields, got " + std::to_string(field_count));
  }

  auto parsed = ParseFields(fields, field_count);
  if (!parsed) return parsed.error();
  const std::array<FieldValues, kMaxFields>& values = *parsed;
  const int skipped = field_count == 6 ? 0 : 1;

  CronExpression cron;
  cron.text_ = std::string(text);
  cron.seconds_ = values[0].bits;
  cron.minutes_ = values[1].bits;
  cron.hours_ = static_cast<std::uint32_t>(values[2].bits);
  cron.months_ = static_cast<std::uint32_t>(values[4].bits);
  const std::uint64_t weekdays = WeekdayPattern(values[5]);
  for (unsigned length = 28; length <= 31; ++length) {
    for (unsigned weekday = 0; weekday < 7; ++weekday) {
      cron.day_masks_[length - 28][weekday] = DayMask(values[3], weekdays, values[5].restricted, length, weekday);
    }
  }
  if (!SomeMonthHasAFiringDay(cron.months_, cron.day_masks_)) {
    return CronError("expression never fires: day-of-month " + Quoted(fields[3 - skipped]) +
                     " does not occur in month " + Quoted(fields[4 - skipped]));
  }
  return cron;
}

std::optional<date::local_seconds> CronExpression::NextLocalMatch(date::local_seconds from, int last_year) const {
  date::local_days day = date::floor<date::days>(from);
  int second_of_day = static_cast<int>((from - day).count());
  // Jump to the next selected month, then day, then time of day; moving a
  // coarser field forward restarts the finer ones from their beginning.
  while (true) {
    const date::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    const unsigned month = static_cast<unsigned>(ymd.month());
    if (year > last_year) return std::nullopt;
    const int next_month = NextBit(months_, static_cast<int>(month));
    if (next_month != static_cast<int>(month)) {
      const date::year next_year = next_month < 0 ? ymd.year() + date::years{1} : ymd.year();
      const int first_month = next_month < 0 ? std::countr_zero(months_) : next_month;
      day = date::local_days{next_year / date::month{static_cast<unsigned>(first_month)} / 1};
      second_of_day = 0;
      continue;
    }
    const unsigned length = DaysInMonth(year, month);
    const unsigned first_weekday = date::weekday{day - (ymd.day() - date::day{1})}.c_encoding();
    const int day_of_month = static_cast<int>(static_cast<unsigned>(ymd.day()));
    const int next_day = NextBit(day_masks_[length - 28][first_weekday], day_of_month);
    if (next_day != day_of_month) {
      day = next_day < 0 ? day + date::days{length - day_of_month + 1} : day + date::days{next_day - day_of_month};
      second_of_day = 0;
      continue;
    }
    const int time_of_day = NextSecondOfDay(hours_, minutes_, seconds_, second_of_day);
    if (time_of_day < 0) {
      day += date::days{1};
      second_of_day = 0;
      continue;
    }
    return day + seconds{time_of_day};
  }
}

namespace {

// The smallest distance between two set bits of the `size` low bits of
// `bits` (not wrapping around); "none" (int's maximum) when fewer than two are set.
int SmallestStep(std::uint64_t bits, int size) {
  int smallest = std::numeric_limits<int>::max();
  int previous = -1;
  for (int i = 0; i < size; ++i) {
    if ((bits >> i & 1) == 0) continue;
    if (previous >= 0) smallest = std::min(smallest, i - previous);
    previous = i;
  }
  return smallest;
}

int FirstBit(std::uint64_t bits, int size) {
  for (int i = 0; i < size; ++i) {
    if (bits >> i & 1) return i;
  }
  return 0;
}

int LastBit(std::uint64_t bits, int size) {
  for (int i = size - 1; i >= 0; --i) {
    if (bits >> i & 1) return i;
  }
  return 0;
}

}  // namespace

std::chrono::seconds CronExpression::MinimumGap() const {
  // From the largest unit down: the gap between two firing hours is at least
  // the step within a day or, across midnight, to the first hour of a next
  // day; the gap between minutes at least the step within an hour or, across
  // hours, from the last minute of one firing hour to the first of the next;
  // likewise for seconds.
  const int hours = std::min(SmallestStep(hours_, 24), 24 - LastBit(hours_, 24) + FirstBit(hours_, 24));
  const int minutes = std::min(SmallestStep(minutes_, 60), hours * 60 - LastBit(minutes_, 60) + FirstBit(minutes_, 60));
  const int seconds =
      std::min(SmallestStep(seconds_, 60), minutes * 60 - LastBit(seconds_, 60) + FirstBit(seconds_, 60));
  return std::chrono::seconds{seconds};
}

std::optional<TimePoint> CronExpression::NextAfter(TimePoint after, const date::time_zone* zone) const {
  using namespace date;
  static constexpr TimePoint kEarliest{sys_days{year{1} / 1 / 1}};
  static constexpr TimePoint kEnd{sys_days{year{kLastYear + 1} / 1 / 1}};
  if (after < kEarliest || after >= kEnd) return std::nullopt;

  // The first whole second strictly after `after`, also when it has milliseconds.
  const sys_seconds start = date::floor<seconds>(after) + seconds{1};
  const int last_year =
      std::min(static_cast<int>(year_month_day{date::floor<days>(start)}.year()) + kSearchYears, kLastYear);

  if (zone == nullptr) {
    const auto local = NextLocalMatch(local_seconds{start.time_since_epoch()}, last_year);
    if (!local) return std::nullopt;
    return TimePoint{local->time_since_epoch()};
  }

  // Search from the wall time one second after that of `start - 1s`, in the
  // offset of that second. It is start's own wall time, except when `start`
  // is the very instant a spring-forward gap ends: its wall time lies past
  // the gap, but the gap's wall times fire at that instant, so the search
  // must begin at the start of the gap.
  const sys_seconds before_start = start - seconds{1};
  local_seconds from{(before_start + zone->get_info(before_start).offset).time_since_epoch() + seconds{1}};
  while (const auto local = NextLocalMatch(from, last_year)) {
    const local_info info = zone->get_info(*local);
    switch (info.result) {
      case local_info::unique: {
        const sys_seconds instant{(*local - info.first.offset).time_since_epoch()};
        if (instant >= start) return TimePoint{instant};
        from = *local + seconds{1};  // cannot happen with sane zone data; keep searching
        break;
      }
      case local_info::nonexistent:
        // Every match inside a gap maps to the same instant, the end of the gap,
        // so the next search (starting after it) leaves the gap: it fires once.
        return TimePoint{info.second.begin};
      case local_info::ambiguous: {
        const sys_seconds first{(*local - info.first.offset).time_since_epoch()};
        if (first >= start) return TimePoint{first};
        // We are in the repeated pass, whose wall times all fired in the first
        // pass: continue from the wall time at which the overlap ends.
        from = local_seconds{(info.first.end + info.first.offset).time_since_epoch()};
        break;
      }
    }
  }
  return std::nullopt;
}

}  // namespace jobsched::core