#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <date/tz.h>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// A parsed cron expression, evaluated in local wall-clock time of an IANA zone.
//
// Syntax: five fields "minute hour day-of-month month day-of-week", or six with
// a leading "second" field. Each field is a comma-separated list of
//   *            every value (`?` means the same in day-of-month and day-of-week)
//   a   a-b      one value, an inclusive range (a must not exceed b)
//   */n a-b/n    every n-th value of the field or of the range
//   a/n          every n-th value from a to the field's maximum
// Month and day-of-week take names (JAN-DEC, SUN-SAT, any case); day-of-week
// takes 0-7, where 0 and 7 are both Sunday. Day-of-month takes `L` (the last
// day of the month) and `L-n` (n days before it, n in 0-30).
// Macros: @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
//
// Day rule, as in classic cron: when both day-of-month and day-of-week are
// restricted (neither is a bare `*` or `?`), a day fires if EITHER matches:
// "0 0 13 * FRI" fires on every 13th and on every Friday. Otherwise a day must
// match both (the unrestricted one matches every day). A field such as "*/2"
// counts as restricted.
//
// Daylight saving time (wall-clock semantics; each local time fires at most once):
// - A local time that does not exist (spring-forward gap) fires once, at the
//   instant the gap ends. "30 2 * * *" in Europe/Berlin on 2026-03-29 (clocks
//   jump 02:00 -> 03:00) fires at 03:00 CEST = 2026-03-29T01:00:00Z. Several
//   matches inside one gap ("*/15 2 * * *") still fire only once, at 01:00Z.
// - A local time that occurs twice (fall-back overlap) fires once, at its first
//   occurrence. "30 2 * * *" in Europe/Berlin on 2026-10-25 (clocks go
//   03:00 CEST -> 02:00 CET) fires at 02:30 CEST = 2026-10-25T00:30:00Z only.
//   Consequence: schedules that fire hourly or more often ("0 * * * *",
//   "*/15 * * * *") are silent during the repeated pass, so an hour of elapsed
//   time passes without a run; in spring they lose the skipped hour likewise.
// - Zones with half-hour shifts (Australia/Lord_Howe: 02:00 -> 02:30 in spring,
//   02:00 -> 01:30 in autumn) follow the same two rules.
//
// A CronExpression is an immutable value: copy it freely, and call its const
// methods from any thread.
class CronExpression {
 public:
  // Parses `text`. Fails with kInvalidArgument (field "cron") and a message
  // naming the cron field and the offending value, for example
  // "cron: hour field: value 24 out of range 0-23". Also refuses expressions
  // that can never fire, such as "0 0 30 2 *" (there is no February 30th).
  static Result<CronExpression> Parse(std::string_view text);

  // The text given to Parse, unchanged, for display.
  const std::string& text() const { return text_; }

  // The first firing instant strictly after `after`, with the fields evaluated
  // in the local time of `zone` (nullptr means UTC). Cron has second
  // resolution, so the result always has zero milliseconds. Returns nullopt
  // only when `after` or the result would lie outside the years 0001-9999;
  // an expression that Parse accepted always fires within nine years.
  // Does not allocate; `zone` is borrowed for the call only.
  // Offsets come from the system TZif files as the date library reads them:
  // their transitions end in 2037, so later years keep the last offset (for
  // Europe/Berlin, CET all year).
  std::optional<TimePoint> NextAfter(TimePoint after, const date::time_zone* zone) const;

  // A lower bound of the wall-clock time between two consecutive firings,
  // from the second, minute and hour fields ("*/5 * * * * *": 5 s, "0 * * *
  // *": 1 h; days are not looked at, so a daily expression says 24 h). A
  // daylight-saving jump may bring two firings closer, once.
  std::chrono::seconds MinimumGap() const;

 private:
  CronExpression() = default;

  // The first local wall time at or after `from` that matches every field, or
  // nullopt when there is none up to the end of `last_year`.
  std::optional<date::local_seconds> NextLocalMatch(date::local_seconds from, int last_year) const;

  std::string text_;
  std::uint64_t seconds_ = 0;  // bit s set: second s matches
  std::uint64_t minutes_ = 0;  // bit m set: minute m matches
  std::uint32_t hours_ = 0;    // bit h set: hour h matches
  std::uint32_t months_ = 0;   // bit m set: month m (1-12) matches
  // The days that fire, indexed by [month length - 28][weekday of the 1st,
  // 0 = Sunday]: bit d set means day d fires. Precomputed at parse time so that
  // the day-of-month/day-of-week rule and `L` cost one lookup per month.
  std::array<std::array<std::uint32_t, 7>, 4> day_masks_{};
};

}  // namespace jobsched::core
