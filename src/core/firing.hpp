#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.hpp"
#include "core/run.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// An occurrence handled this much after its time counts as missed (the
// service was down or far behind); a later one is merely late and runs.
constexpr Milliseconds kMisfireThreshold{60'000};

// At most this many due occurrences of one job are looked at per firing; a
// job further behind than that has its older occurrences skipped in bulk.
constexpr std::size_t kMaxOccurrencesPerFiring = 1000;

// An occurrence that will not run, and why (shown as the skipped run's error).
struct SkippedOccurrence {
  TimePoint scheduled_for;
  std::string reason;
};

// What the scheduler does with one due job at `now`: the runs to create, the
// occurrences recorded as skipped, and the job's next due time.
struct FirePlan {
  // scheduled_for of each run to create; each is a real occurrence of the
  // schedule, so (job, occurrence) is unique and a second firing is refused.
  std::vector<TimePoint> occurrences;
  std::vector<SkippedOccurrence> skipped;
  std::optional<TimePoint> next_run;  // nullopt: the schedule is over
  std::optional<TimePoint> last_run;  // the newest occurrence run
};

// Plans the firing of `job`, whose next_run is at or before `now`. Every due
// occurrence within kMisfireThreshold of `now` runs. Missed ones follow the
// job's misfire policy:
//   run_once (default)  the oldest missed occurrence runs, the others are skipped
//   skip                all are skipped
//   run_all             those within the job's catchup_window of `now` run,
//                       older ones are skipped
// Then the schedule continues from its first occurrence after `now`.
// Last, the job's overlap policy: under `skip`, when `run_in_progress` names
// an unfinished run of the job, every occurrence is skipped; otherwise the
// first runs and any further ones of this firing (a run_all catch-up) are
// skipped, as they would overlap it. `allow` and `queue` keep them all (queue
// orders them when runs are claimed).
FirePlan PlanFiring(const Job& job, TimePoint now, std::optional<RunId> run_in_progress = std::nullopt);

// What the operator allows one firing of a job (settings min_period and
// max_runs_per_job_per_minute).
struct FiringLimits {
  // Runs one firing may create for a job; further occurrences it would run
  // (a run_all catch-up) are skipped, saying so.
  std::size_t max_runs = kMaxOccurrencesPerFiring;
  // A schedule whose occurrences come closer than this (a job stored before
  // the minimum existed; new ones are refused by CheckJobLimits) runs one
  // occurrence per firing and continues with its first occurrence at least
  // this long after that one; the occurrences in between are not recorded.
  Milliseconds min_period{0};
};

// PlanFiring within `limits`.
FirePlan PlanLimitedFiring(const Job& job, TimePoint now, std::optional<RunId> run_in_progress,
                           const FiringLimits& limits);

}  // namespace jobsched::core
