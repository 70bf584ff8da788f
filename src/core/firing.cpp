#include "core/firing.hpp"

#include <cassert>

namespace jobsched::core {

namespace {

void ApplyOverlapSkip(FirePlan& plan, std::optional<RunId> run_in_progress) {
  if (plan.occurrences.empty()) return;
  const std::size_t keep = run_in_progress ? 0 : 1;
  for (std::size_t i = keep; i < plan.occurrences.size(); ++i) {
    std::string reason = run_in_progress
                             ? "run " + std::to_string(*run_in_progress) + " of this job had not finished; overlap skip"
                             : "would overlap the run of " + FormatRfc3339(plan.occurrences.front()) +
                                   "; overlap skip (use overlap queue to run them one after another)";
    plan.skipped.push_back({plan.occurrences[i], std::move(reason)});
  }
  plan.occurrences.resize(keep);
}

}  // namespace

FirePlan PlanFiring(const Job& job, TimePoint now, std::optional<RunId> run_in_progress) {
  return PlanLimitedFiring(job, now, run_in_progress, FiringLimits{});
}

namespace {

// Every occurrence due by `now`, oldest first (at most
// kMaxOccurrencesPerFiring), and the next one after them.
struct DueOccurrences {
  std::vector<TimePoint> due;
  std::optional<TimePoint> next;
  bool truncated = false;  // more were due than the bound
};

DueOccurrences CollectDue(const Job& job, TimePoint now, const FiringLimits& limits) {
  DueOccurrences result;
  std::optional<TimePoint> next = job.next_run;
  while (next && *next <= now && result.due.size() < kMaxOccurrencesPerFiring) {
    result.due.push_back(*next);
    next = job.schedule.NextAfter(*next);
    // Occurrences closer than the minimum period: one this firing, and the
    // schedule resumes at least the minimum later (see FiringLimits).
    if (next && *next - result.due.back() < limits.min_period) {
      next = job.schedule.OccurrenceAfter(result.due.back(),
                                          std::max(now, result.due.back() + limits.min_period - Milliseconds{1}));
      break;
    }
  }
  result.truncated = next && *next <= now;
  if (result.truncated) next = job.schedule.OccurrenceAfter(result.due.back(), now);
  result.next = next;
  return result;
}

// Sorts each due occurrence into a run or a skip by the job's misfire policy:
// on time ones always run; late ones as the policy says.
void ApplyMisfirePolicy(const Job& job, TimePoint now, const std::vector<TimePoint>& due, FirePlan& plan) {
  bool caught_up = false;  // run_once: the one catch-up run is planned
  for (const TimePoint occurrence : due) {
    const Milliseconds late = now - occurrence;
    if (late <= kMisfireThreshold) {
      plan.occurrences.push_back(occurrence);
      continue;
    }
    switch (job.misfire) {
      case MisfirePolicy::kRunOnce:
        if (!caught_up) {
          plan.occurrences.push_back(occurrence);
          caught_up = true;
        } else {
          plan.skipped.push_back({occurrence,
                                  "missed (the service was down or behind); misfire run_once ran one "
                                  "catch-up run"});
        }
        break;
      case MisfirePolicy::kSkip:
        plan.skipped.push_back({occurrence, "missed (the service was down or behind); misfire skip"});
        break;
      case MisfirePolicy::kRunAll:
        if (late <= job.catchup_window) {
          plan.occurrences.push_back(occurrence);
        } else {
          plan.skipped.push_back({occurrence, "missed by more than the catchup_window; misfire run_all"});
        }
        break;
    }
  }
}

// Runs beyond the per-job quota of one firing are skipped, saying why.
void ApplyRunQuota(const FiringLimits& limits, FirePlan& plan) {
  if (plan.occurrences.size() <= limits.max_runs) return;
  for (std::size_t i = limits.max_runs; i < plan.occurrences.size(); ++i) {
    plan.skipped.push_back({plan.occurrences[i], "over the run-rate quota of " + std::to_string(limits.max_runs) +
                                                     " runs per job per minute (max_runs_per_job_per_minute)"});
  }
  plan.occurrences.resize(limits.max_runs);
}

}  // namespace

FirePlan PlanLimitedFiring(const Job& job, TimePoint now, std::optional<RunId> run_in_progress,
                           const FiringLimits& limits) {
  assert(job.next_run && *job.next_run <= now && "only due jobs are planned; the store selects them by next_run");
  const DueOccurrences due = CollectDue(job, now, limits);
  FirePlan plan;
  plan.next_run = due.next;
  ApplyMisfirePolicy(job, now, due.due, plan);
  if (due.truncated && !plan.skipped.empty()) {
    plan.skipped.back().reason +=
        "; older occurrences beyond the last " + std::to_string(kMaxOccurrencesPerFiring) + " are not listed";
  }
  ApplyRunQuota(limits, plan);
  if (job.overlap == OverlapPolicy::kSkip) ApplyOverlapSkip(plan, run_in_progress);
  if (!plan.occurrences.empty()) plan.last_run = plan.occurrences.back();
  return plan;
}

}  // namespace jobsched::core
