#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace jobsched::core {

class CronExpression;

// The original service's named intervals, kept for its clients. All are in UTC:
//   hourly           minute 0 of every hour (10:00:00Z, 11:00:00Z, ...)
//   daily            10:00Z every day
//   weekly           Mondays at 10:00Z
//   monthly          the 1st of every month at 10:00Z
//   hourly_for_today minute 0 of every hour until the end of the UTC day the
//                    job was created (its end_at is set to that midnight)
enum class NamedInterval { kHourly, kDaily, kWeekly, kMonthly, kHourlyForToday };

std::string_view ToString(NamedInterval interval);
std::optional<NamedInterval> ParseNamedInterval(std::string_view text);

enum class ScheduleKind { kInterval, kEvery, kCron, kAt };

std::string_view ToString(ScheduleKind kind);

// When a job fires. Immutable value; every computation takes the instant it
// reasons about, never reads a clock.
class Schedule {
 public:
  // Hourly; exists so that Job can be a plain aggregate.
  Schedule() = default;
  static Schedule Interval(NamedInterval interval);
  // Fires every `period`, counted from `start_at` when given, otherwise from
  // the moment the job is created or resumed.
  static Schedule Every(Milliseconds period);
  // A cron expression (see cron_expression.hpp) evaluated in the IANA time
  // zone `timezone` ("Europe/Berlin"; "UTC" when empty). Fails with
  // kInvalidArgument naming "cron" or "timezone".
  static Result<Schedule> Cron(std::string_view expression, std::string_view timezone);
  // Fires once, at `at`.
  static Schedule At(TimePoint at);

  // Rebuilds a schedule from its stored form (as written by kind(),
  // expression() and timezone()). Fails with kInternal on a corrupt row.
  static Result<Schedule> Restore(std::string_view kind, std::string_view expression, std::string_view timezone,
                                  std::optional<TimePoint> start_at, std::optional<TimePoint> end_at);

  // The window is half-open: occurrences before start_at, or at or after
  // end_at, never fire.
  Schedule WithWindow(std::optional<TimePoint> start_at, std::optional<TimePoint> end_at) const;

  // The first occurrence of a job created (or resumed) at `now`: the first
  // one strictly after `now` (for `every` without start_at: now + period).
  // nullopt when the schedule has no occurrence left (past its end_at).
  std::optional<TimePoint> FirstRun(TimePoint now) const;

  // The occurrence that follows `occurrence`, which was itself one of this
  // schedule's occurrences. nullopt when the schedule is over.
  std::optional<TimePoint> NextAfter(TimePoint occurrence) const;

  // The first occurrence strictly after `instant`, in phase with
  // `occurrence` (a known occurrence of this schedule, at or before
  // `instant`). Used to skip past occurrences missed during downtime.
  std::optional<TimePoint> OccurrenceAfter(TimePoint occurrence, TimePoint instant) const;

  // A lower bound of the time between two consecutive occurrences: the
  // period of `every`, an hour for hourly intervals and a day for the other
  // named ones, CronExpression::MinimumGap for cron; nullopt for a one-shot.
  std::optional<Milliseconds> MinimumGap() const;

  ScheduleKind kind() const { return kind_; }
  // Canonical text of the schedule: "weekly", "1h30m", "0 9 * * MON",
  // "2026-12-24T18:00:00Z".
  std::string expression() const;
  // The IANA zone of a cron schedule; empty for other kinds.
  const std::string& timezone() const { return timezone_; }
  // The instant of a one-shot schedule.
  std::optional<TimePoint> at() const;
  std::optional<NamedInterval> named_interval() const;
  Milliseconds period() const { return period_; }
  std::optional<TimePoint> start_at() const { return start_at_; }
  std::optional<TimePoint> end_at() const { return end_at_; }

  friend bool operator==(const Schedule& a, const Schedule& b);

 private:
  // First calendar occurrence strictly after `after`, ignoring the window.
  // nullopt past the last representable date (cron only).
  std::optional<TimePoint> CalendarOccurrenceAfter(TimePoint after) const;
  std::optional<TimePoint> WithinWindow(std::optional<TimePoint> candidate) const;

  ScheduleKind kind_ = ScheduleKind::kInterval;
  NamedInterval interval_ = NamedInterval::kHourly;
  Milliseconds period_{0};
  TimePoint at_{};
  // Shared and immutable, so copying a Schedule stays cheap and the
  // date/tz headers stay out of every file that mentions a job.
  std::shared_ptr<const CronExpression> cron_;
  const date::time_zone* zone_ = nullptr;  // owned by the tz database; lives forever
  std::string timezone_;
  std::optional<TimePoint> start_at_;
  std::optional<TimePoint> end_at_;
};

}  // namespace jobsched::core
