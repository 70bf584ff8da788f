#include "core/run.hpp"

#include <array>
#include <utility>

namespace jobsched::core {
namespace {

constexpr std::array<std::pair<RunState, std::string_view>, 7> kStateNames{{
    {RunState::kQueued, "queued"},
    {RunState::kRunning, "running"},
    {RunState::kSucceeded, "succeeded"},
    {RunState::kFailed, "failed"},
    {RunState::kTimedOut, "timed_out"},
    {RunState::kSkipped, "skipped"},
    {RunState::kCancelled, "cancelled"},
}};

}  // namespace

std::string_view ToString(RunState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "queued";
}

std::optional<RunState> ParseRunState(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool IsTerminal(RunState state) { return state != RunState::kQueued && state != RunState::kRunning; }

std::string_view ToString(RunTrigger trigger) {
  switch (trigger) {
    case RunTrigger::kManual: return "manual";
    case RunTrigger::kBackfill: return "backfill";
    case RunTrigger::kSchedule: break;
  }
  return "schedule";
}

std::optional<RunTrigger> ParseRunTrigger(std::string_view text) {
  if (text == "schedule") return RunTrigger::kSchedule;
  if (text == "manual") return RunTrigger::kManual;
  if (text == "backfill") return RunTrigger::kBackfill;
  return std::nullopt;
}

}  // namespace jobsched::core
