#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/job.hpp"
#include "core/time.hpp"

namespace jobsched::core {

using RunId = std::int64_t;

// queued -> running -> succeeded | failed | timed_out; a run can also end as
// skipped (it was not run, with a reason) or cancelled.
enum class RunState { kQueued, kRunning, kSucceeded, kFailed, kTimedOut, kSkipped, kCancelled };

std::string_view ToString(RunState state);
std::optional<RunState> ParseRunState(std::string_view text);
bool IsTerminal(RunState state);

// Why a run exists: its job's schedule, a person asking for it, or a
// backfill of a past range (an occurrence of the schedule, run late on request).
enum class RunTrigger { kSchedule, kManual, kBackfill };

std::string_view ToString(RunTrigger trigger);
std::optional<RunTrigger> ParseRunTrigger(std::string_view text);

// Output kept per run; more is cut, with a marker.
constexpr std::size_t kMaxRunOutputBytes = 64 * 1024;

// One execution of a job, as stored and shown.
struct Run {
  RunId id = 0;
  JobId job_id = 0;
  TimePoint scheduled_for;
  RunTrigger trigger = RunTrigger::kSchedule;
  RunState state = RunState::kQueued;
  int attempt = 1;
  TimePoint created_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::optional<std::int64_t> duration_ms;
  std::string output;
  std::string error;
  // The delay the job's jitter gave this run: it did not start before
  // scheduled_for + jitter.
  Milliseconds jitter{0};
  // Set when someone asked to cancel the run while it was running; the
  // executor stops it and it ends as cancelled.
  std::optional<TimePoint> cancel_requested_at;
};

// An earlier attempt of a run that was tried again (a retried failure, or a
// run whose executor died). The run itself shows its latest attempt.
struct RunAttempt {
  int attempt = 1;
  RunState state = RunState::kFailed;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::string error;
};

}  // namespace jobsched::core
