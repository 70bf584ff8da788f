#pragma once

#include <optional>
#include <vector>

#include "core/job.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// What the scheduler does with one due job at `now`: the runs to create and
// the job's next due time.
struct FirePlan {
  // scheduled_for of each run to create; each is a real occurrence of the
  // schedule, so (job, occurrence) is unique and a second firing is refused.
  std::vector<TimePoint> occurrences;
  std::optional<TimePoint> next_run;  // nullopt: the schedule is over
  std::optional<TimePoint> last_run;  // the newest occurrence fired
};

// Plans the firing of `job`, whose next_run is at or before `now`.
// Occurrences missed while the service was down or busy fire once: one run
// for the oldest missed occurrence (the one stored as next_run), then the
// schedule continues from its first occurrence strictly after `now`.
FirePlan PlanFiring(const Job& job, TimePoint now);

}  // namespace jobsched::core
