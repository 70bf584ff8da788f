#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"

namespace jobsched::api {

// POST /schedules/preview: the next occurrences of a schedule, without
// creating a job. The body holds the schedule fields of a job (interval |
// every | cron + timezone | at, start_at, end_at) plus optional `after`
// (RFC 3339, default now) and `count` (1-1000, default 10); the answer is
// {"next_runs": ["2026-03-29T01:00:00Z", ...]}. `clock` must outlive the router.
void RegisterScheduleHandlers(Router& router, const core::Clock& clock);

}  // namespace jobsched::api
