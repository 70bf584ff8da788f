#include "core/schedule.hpp"

#include <array>
#include <utility>

#include <date/tz.h>

#include "core/cron_expression.hpp"
#include "core/duration.hpp"
#include "core/enum_names.hpp"

namespace jobsched::core {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;

constexpr EnumNames<NamedInterval, 5> kIntervalNames{{{NamedInterval::kHourly, "hourly"},
                                                      {NamedInterval::kDaily, "daily"},
                                                      {NamedInterval::kWeekly, "weekly"},
                                                      {NamedInterval::kMonthly, "monthly"},
                                                      {NamedInterval::kHourlyForToday, "hourly_for_today"}}};

// The original service ran its daily, weekly and monthly jobs at 10:00 UTC.
constexpr hours kPresetHourUtc{10};

TimePoint NextTopOfHour(TimePoint after) { return floor<hours>(after) + hours{1}; }

TimePoint NextDailyAt10(TimePoint after) {
  TimePoint candidate = floor<days>(after) + kPresetHourUtc;
  if (candidate <= after) candidate += days{1};
  return candidate;
}

TimePoint NextMondayAt10(TimePoint after) {
  using namespace std::chrono;
  TimePoint candidate = NextDailyAt10(after);
  const weekday day{floor<std::chrono::days>(candidate)};
  // Days from `day` forward to Monday: (Monday - day) is computed mod 7.
  return candidate + std::chrono::days{(Monday - day).count()};
}

TimePoint NextFirstOfMonthAt10(TimePoint after) {
  using namespace std::chrono;
  const year_month_day today{floor<std::chrono::days>(after)};
  TimePoint candidate = sys_days{today.year() / today.month() / 1} + kPresetHourUtc;
  if (candidate <= after) {
    const year_month next = today.year() / today.month() + months{1};
    candidate = sys_days{next / 1} + kPresetHourUtc;
  }
  return candidate;
}

}  // namespace

std::string_view ToString(NamedInterval interval) { return NameOf(kIntervalNames, interval); }

std::optional<NamedInterval> ParseNamedInterval(std::string_view text) { return ValueOf(kIntervalNames, text); }

std::string_view ToString(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kInterval: return "interval";
    case ScheduleKind::kEvery: return "every";
    case ScheduleKind::kCron: return "cron";
    case ScheduleKind::kAt: return "at";
  }
  return "interval";
}

Schedule Schedule::Interval(NamedInterval interval) {
  Schedule schedule;
  schedule.kind_ = ScheduleKind::kInterval;
  schedule.interval_ = interval;
  return schedule;
}

Schedule Schedule::Every(Milliseconds period) {
  Schedule schedule;
  schedule.kind_ = ScheduleKind::kEvery;
  schedule.period_ = period;
  return schedule;
}

Result<Schedule> Schedule::Cron(std::string_view expression, std::string_view timezone) {
  auto cron = CronExpression::Parse(expression);
  if (!cron) return cron.error();
  const std::string zone_name = timezone.empty() ? "UTC" : std::string(timezone);
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    return Error::InvalidArgument("timezone", "timezone: unknown time zone '" + zone_name.substr(0, 64) +
                                                  "'; use an IANA name such as Europe/Berlin");
  }
  Schedule schedule;
  schedule.kind_ = ScheduleKind::kCron;
  schedule.cron_ = std::make_shared<const CronExpression>(std::move(cron).value());
  schedule.zone_ = zone;
  schedule.timezone_ = zone_name;
  return schedule;
}

Schedule Schedule::At(TimePoint at) {
  Schedule schedule;
  schedule.kind_ = ScheduleKind::kAt;
  schedule.at_ = at;
  return schedule;
}

bool operator==(const Schedule& a, const Schedule& b) {
  return a.kind_ == b.kind_ && a.interval_ == b.interval_ && a.period_ == b.period_ && a.at_ == b.at_ &&
         a.timezone_ == b.timezone_ && a.expression() == b.expression() && a.start_at_ == b.start_at_ &&
         a.end_at_ == b.end_at_;
}

std::optional<TimePoint> Schedule::at() const {
  if (kind_ == ScheduleKind::kAt) return at_;
  return std::nullopt;
}

Result<Schedule> Schedule::Restore(std::string_view kind, std::string_view expression, std::string_view timezone,
                                   std::optional<TimePoint> start_at, std::optional<TimePoint> end_at) {
  if (kind == ToString(ScheduleKind::kCron)) {
    auto cron = Cron(expression, timezone);
    if (!cron) return Error::Internal("stored job has a bad cron schedule: " + cron.error().message);
    return cron->WithWindow(start_at, end_at);
  }
  if (kind == ToString(ScheduleKind::kAt)) {
    auto at = ParseRfc3339(expression, "at");
    if (!at) return Error::Internal("stored job has a bad at: " + at.error().message);
    return At(*at).WithWindow(start_at, end_at);
  }
  if (kind == ToString(ScheduleKind::kInterval)) {
    auto interval = ParseNamedInterval(expression);
    if (!interval) return Error::Internal("stored job has unknown interval '" + std::string(expression) + "'");
    return Interval(*interval).WithWindow(start_at, end_at);
  }
  if (kind == ToString(ScheduleKind::kEvery)) {
    auto period = ParseDuration(expression, "every");
    if (!period) return Error::Internal("stored job has bad duration '" + std::string(expression) + "'");
    return Every(*period).WithWindow(start_at, end_at);
  }
  return Error::Internal("stored job has unknown schedule kind '" + std::string(kind) + "'");
}

Schedule Schedule::WithWindow(std::optional<TimePoint> start_at, std::optional<TimePoint> end_at) const {
  Schedule copy = *this;
  copy.start_at_ = start_at;
  copy.end_at_ = end_at;
  return copy;
}

std::string Schedule::expression() const {
  switch (kind_) {
    case ScheduleKind::kEvery: return FormatDuration(period_);
    case ScheduleKind::kCron: return cron_->text();
    case ScheduleKind::kAt: return FormatRfc3339(at_);
    case ScheduleKind::kInterval: break;
  }
  return std::string(ToString(interval_));
}

std::optional<NamedInterval> Schedule::named_interval() const {
  if (kind_ == ScheduleKind::kInterval) return interval_;
  return std::nullopt;
}

std::optional<TimePoint> Schedule::FirstRun(TimePoint now) const {
  // A one-shot job fires at its instant, even when that has just passed
  // (the scheduler then fires it at once).
  if (kind_ == ScheduleKind::kAt) return at_;
  if (kind_ == ScheduleKind::kEvery) {
    if (!start_at_) return WithinWindow(now + period_);
    if (*start_at_ > now) return WithinWindow(*start_at_);
    // Keep the phase of start_at: the first of start_at + k * period after now.
    const auto periods_elapsed = (now - *start_at_) / period_ + 1;
    return WithinWindow(*start_at_ + periods_elapsed * period_);
  }
  // Occurrences before start_at are not due; start_at itself may be one.
  TimePoint after = now;
  if (start_at_ && *start_at_ - Milliseconds{1} > after) after = *start_at_ - Milliseconds{1};
  return WithinWindow(CalendarOccurrenceAfter(after));
}

std::optional<TimePoint> Schedule::NextAfter(TimePoint occurrence) const {
  if (kind_ == ScheduleKind::kAt) return std::nullopt;
  if (kind_ == ScheduleKind::kEvery) return WithinWindow(occurrence + period_);
  return WithinWindow(CalendarOccurrenceAfter(occurrence));
}

std::optional<TimePoint> Schedule::OccurrenceAfter(TimePoint occurrence, TimePoint instant) const {
  if (kind_ == ScheduleKind::kAt) return std::nullopt;
  if (instant < occurrence) instant = occurrence;
  if (kind_ == ScheduleKind::kEvery) {
    const auto periods = (instant - occurrence) / period_ + 1;
    return WithinWindow(occurrence + periods * period_);
  }
  return WithinWindow(CalendarOccurrenceAfter(instant));
}

std::optional<Milliseconds> Schedule::MinimumGap() const {
  switch (kind_) {
    case ScheduleKind::kEvery: return period_;
    case ScheduleKind::kCron: return Milliseconds{cron_->MinimumGap()};
    case ScheduleKind::kAt: return std::nullopt;
    case ScheduleKind::kInterval:
      return interval_ == NamedInterval::kHourly || interval_ == NamedInterval::kHourlyForToday
                 ? Milliseconds{std::chrono::hours{1}}
                 : Milliseconds{std::chrono::hours{24}};
  }
  return std::nullopt;
}

std::optional<TimePoint> Schedule::CalendarOccurrenceAfter(TimePoint after) const {
  if (kind_ == ScheduleKind::kCron) return cron_->NextAfter(after, zone_);
  switch (interval_) {
    case NamedInterval::kHourly:
    case NamedInterval::kHourlyForToday: return NextTopOfHour(after);
    case NamedInterval::kDaily: return NextDailyAt10(after);
    case NamedInterval::kWeekly: return NextMondayAt10(after);
    case NamedInterval::kMonthly: return NextFirstOfMonthAt10(after);
  }
  return NextTopOfHour(after);
}

std::optional<TimePoint> Schedule::WithinWindow(std::optional<TimePoint> candidate) const {
  if (!candidate || (end_at_ && *candidate >= *end_at_)) return std::nullopt;
  return candidate;
}

}  // namespace jobsched::core
