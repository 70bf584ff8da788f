#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// A pause as POST /jobs/{id}/pause asks for it; both members optional.
struct PauseRequest {
  std::optional<std::string> reason;
  // An RFC 3339 instant, or a duration ("2h", "1d") from now.
  std::optional<std::string> until;
};

constexpr std::size_t kMaxPauseReasonLength = 500;  // in characters (code points)
// How far ahead `until` may be: a pause meant to last longer is an open-ended
// pause (no until), not a timer nobody remembers.
constexpr Milliseconds kMaxPauseLength{366LL * 24 * 3600 * 1000};

// The job paused at `now` as `request` says: inactive, next_run null,
// paused_at kept from an earlier pause (else `now`), and the reason and until
// replaced by the request's (a member it leaves out clears it, so a plain
// pause of a job paused until some instant pauses it until resumed). An empty
// or all-blank reason is no reason. nullopt when the job is already paused
// exactly so (nothing to write, the version stays). Fails with
// kInvalidArgument naming "reason" (too long, control characters) or "until"
// (unreadable, not after `now`, more than kMaxPauseLength ahead).
Result<std::optional<Job>> PauseJob(const Job& current, const PauseRequest& request, TimePoint now);

// The job as its automatic resume at paused_until leaves it, written at `now`
// (at or after paused_until): active, the pause's fields cleared, and
// next_run the first occurrence strictly after paused_until, as a manual
// resume at that instant would compute it. Occurrences inside the pause are
// never run; those between paused_until and `now` (a scheduler that was down
// at the time) are due and follow the misfire policy like any active job's.
// The version goes up by one. `paused` must be paused with a paused_until.
Job ResumeAtPauseEnd(const Job& paused, TimePoint now);

// The pause's fields cleared.
void ClearPause(Job& job);

// After `job.is_active` changed at `now` by a plain resume or pause (PATCH,
// /resume, a bulk change): a resumed job's pause is over (cleared); a paused
// one is paused since `now`, with no reason and no end.
void NoteActivityChange(Job& job, TimePoint now);

}  // namespace jobsched::core
