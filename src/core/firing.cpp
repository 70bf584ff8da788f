#include "core/firing.hpp"

#include <cassert>

namespace jobsched::core {

FirePlan PlanFiring(const Job& job, TimePoint now) {
  assert(job.next_run && *job.next_run <= now && "only due jobs are planned; the store selects them by next_run");
  FirePlan plan;
  const TimePoint due = *job.next_run;
  plan.occurrences.push_back(due);
  plan.last_run = due;
  plan.next_run = job.schedule.OccurrenceAfter(due, now);
  return plan;
}

}  // namespace jobsched::core
