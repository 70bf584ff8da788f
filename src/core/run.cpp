#include "core/run.hpp"

#include "core/enum_names.hpp"

namespace jobsched::core {
namespace {

constexpr EnumNames<RunState, 7> kStateNames{{{RunState::kQueued, "queued"},
                                              {RunState::kRunning, "running"},
                                              {RunState::kSucceeded, "succeeded"},
                                              {RunState::kFailed, "failed"},
                                              {RunState::kTimedOut, "timed_out"},
                                              {RunState::kSkipped, "skipped"},
                                              {RunState::kCancelled, "cancelled"}}};

constexpr EnumNames<RunTrigger, 3> kTriggerNames{
    {{RunTrigger::kSchedule, "schedule"}, {RunTrigger::kManual, "manual"}, {RunTrigger::kBackfill, "backfill"}}};

}  // namespace

std::string_view ToString(RunState state) { return NameOf(kStateNames, state); }

std::optional<RunState> ParseRunState(std::string_view text) { return ValueOf(kStateNames, text); }

bool IsTerminal(RunState state) { return state != RunState::kQueued && state != RunState::kRunning; }

std::string_view ToString(RunTrigger trigger) { return NameOf(kTriggerNames, trigger); }

std::optional<RunTrigger> ParseRunTrigger(std::string_view text) { return ValueOf(kTriggerNames, text); }

}  // namespace jobsched::core
