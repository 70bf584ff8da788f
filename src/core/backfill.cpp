#include "core/backfill.hpp"

#include <optional>
#include <string>

namespace jobsched::core {
namespace {

// The first occurrence at or after `from` of an `every` schedule without
// start_at: anchor + k * period for the smallest such k (k may be negative).
std::optional<TimePoint> FirstEveryAtOrAfter(const Job& job, TimePoint from) {
  const Schedule& schedule = job.schedule;
  const TimePoint anchor = job.next_run.value_or(job.last_run.value_or(job.created_at));
  const Milliseconds period = schedule.period();
  auto periods = (from - anchor) / period;  // truncates towards zero
  if (anchor + periods * period < from) ++periods;
  const TimePoint first = anchor + periods * period;
  if (schedule.end_at() && first >= *schedule.end_at()) return std::nullopt;
  return first;
}

std::optional<TimePoint> FirstAtOrAfter(const Job& job, TimePoint from) {
  const Schedule& schedule = job.schedule;
  switch (schedule.kind()) {
    case ScheduleKind::kAt: {
      const TimePoint at = *schedule.at();
      if (at < from) return std::nullopt;
      return at;
    }
    case ScheduleKind::kEvery:
      if (!schedule.start_at()) return FirstEveryAtOrAfter(job, from);
      break;
    case ScheduleKind::kInterval:
    case ScheduleKind::kCron: break;
  }
  // FirstRun answers the first occurrence strictly after its argument, with
  // start_at's phase and the window applied.
  return schedule.FirstRun(from - Milliseconds{1});
}

}  // namespace

Result<std::vector<TimePoint>> BackfillOccurrences(const Job& job, TimePoint from, TimePoint to, TimePoint now,
                                                   std::size_t limit) {
  if (from >= to) return Error::InvalidArgument("from", "from: must be before to (the range is [from, to))");
  if (to > now) {
    return Error::InvalidArgument("to", "to: must not be in the future (it is after " + FormatRfc3339(now) +
                                            "); a backfill runs past occurrences only");
  }
  std::vector<TimePoint> occurrences;
  for (std::optional<TimePoint> next = FirstAtOrAfter(job, from); next && *next < to;
       next = job.schedule.NextAfter(*next)) {
    if (occurrences.size() == limit) {
      return Error::InvalidArgument("to", "to: the range holds more than " + std::to_string(limit) +
                                              " occurrences of the job's schedule, the most one backfill may "
                                              "create; split it into smaller ranges");
    }
    occurrences.push_back(*next);
  }
  return occurrences;
}

}  // namespace jobsched::core
