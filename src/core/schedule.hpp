#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

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

enum class ScheduleKind { kInterval, kEvery };

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

  // Rebuilds a schedule from its stored form (kind and expression as written
  // by kind() and expression()). Fails with kInternal on a corrupt row.
  static Result<Schedule> Restore(std::string_view kind, std::string_view expression,
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

  ScheduleKind kind() const { return kind_; }
  // Canonical text of the schedule: "weekly", "1h30m".
  std::string expression() const;
  std::optional<NamedInterval> named_interval() const;
  Milliseconds period() const { return period_; }
  std::optional<TimePoint> start_at() const { return start_at_; }
  std::optional<TimePoint> end_at() const { return end_at_; }

  friend bool operator==(const Schedule&, const Schedule&) = default;

 private:
  // First calendar occurrence strictly after `after`, ignoring the window.
  TimePoint CalendarOccurrenceAfter(TimePoint after) const;
  std::optional<TimePoint> WithinWindow(TimePoint candidate) const;

  ScheduleKind kind_ = ScheduleKind::kInterval;
  NamedInterval interval_ = NamedInterval::kHourly;
  Milliseconds period_{0};
  std::optional<TimePoint> start_at_;
  std::optional<TimePoint> end_at_;
};

}  // namespace jobsched::core
