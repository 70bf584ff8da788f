#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/alert_rule.hpp"
#include "core/job_namespace.hpp"
#include "core/labels.hpp"
#include "core/retry_policy.hpp"
#include "core/schedule.hpp"
#include "core/task.hpp"
#include "core/time.hpp"

namespace jobsched::core {

using JobId = std::int64_t;

// What happens to occurrences missed while the service was down or behind
// (see PlanFiring in firing.hpp).
enum class MisfirePolicy { kRunOnce, kSkip, kRunAll };

std::string_view ToString(MisfirePolicy policy);
std::optional<MisfirePolicy> ParseMisfirePolicy(std::string_view text);

// What happens when a run is due while an earlier run of the same job has not
// finished (it is queued or running):
//   skip   (default) the new occurrence is recorded as skipped, with the reason
//   allow  it runs alongside
//   queue  it waits, and starts once the earlier runs have ended, in order
enum class OverlapPolicy { kSkip, kAllow, kQueue };

std::string_view ToString(OverlapPolicy policy);
std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view text);

constexpr std::size_t kMaxJobNameLength = 255;  // in characters (code points)
constexpr Milliseconds kDefaultJobTimeout{60'000};
constexpr Milliseconds kMaxJobTimeout{24LL * 3600 * 1000};
constexpr Milliseconds kDefaultCatchupWindow{3600LL * 1000};
constexpr Milliseconds kMaxJitter{24LL * 3600 * 1000};

// A job as stored. `id` is 0 until the store assigns one.
struct Job {
  JobId id = 0;
  std::string name;
  // Set at creation and never changed: a job does not move between namespaces.
  std::string namespace_name{kDefaultNamespace};
  Schedule schedule;
  // What the job does; absent for a job created without one, whose work the
  // original service chose by the job's name.
  std::optional<Task> task;
  bool is_active = true;
  // While paused (see job_pause.hpp): why, since when (absent for a job
  // paused before pauses had one), and when the scheduler resumes it by
  // itself (absent: until someone resumes it). All absent while active.
  std::optional<std::string> paused_reason;
  std::optional<TimePoint> paused_at;
  std::optional<TimePoint> paused_until;
  std::optional<TimePoint> last_run;
  // Null when the schedule has nothing left to fire, or the job is paused.
  std::optional<TimePoint> next_run;
  TimePoint created_at;
  TimePoint updated_at;
  // Time limit of one attempt of the task.
  Milliseconds timeout{kDefaultJobTimeout};
  // How a failed or timed-out run is tried again; by default it is not.
  RetryPolicy retry;
  MisfirePolicy misfire = MisfirePolicy::kRunOnce;
  // run_all: how far back missed occurrences still run.
  Milliseconds catchup_window{kDefaultCatchupWindow};
  OverlapPolicy overlap = OverlapPolicy::kSkip;
  // Each scheduled run starts up to this much after its occurrence (see
  // JitterDelay), so many jobs on the same schedule do not start at once.
  Milliseconds jitter{0};
  // Key-value pairs for selecting jobs (GET /jobs?label=...); see labels.hpp.
  Labels labels;
  // Whom to tell when its runs fail, recover, start late, fall silent or are
  // skipped (alert_rule.hpp); absent: its namespace's default rule, if any.
  std::optional<AlertRule> alerts;
  // Incremented on every change a client makes.
  std::int64_t version = 1;
};

// How long the run of `job`'s occurrence at `scheduled_for` waits before it
// starts: in [0, job.jitter], spread evenly over jobs and occurrences. It is a
// hash of the two rather than a random draw, so the same occurrence always
// gets the same delay (a retried firing cannot move it) and tests can know it.
Milliseconds JitterDelay(const Job& job, TimePoint scheduled_for);

}  // namespace jobsched::core
