#pragma once

#include <string_view>

#include "core/result.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// The text filters of a run list by their names, shared by GET /runs (its
// query string) and POST /runs/bulk (its JSON "filter"), so both accept and
// refuse alike; job_id, a number, is read by each side in its own syntax.
inline constexpr std::string_view kRunTextFilters[] = {"state", "trigger", "scheduled_from", "scheduled_until"};

// Checks `value` of the text filter `member` (one of kRunTextFilters) and sets
// it in `query`: state (a run state), trigger (schedule or manual),
// scheduled_from and scheduled_until (RFC 3339: runs scheduled in [from,
// until)). kInvalidArgument naming `member` otherwise.
core::Result<void> SetRunFilter(store::RunListQuery& query, std::string_view member, std::string_view value);

}  // namespace jobsched::api
