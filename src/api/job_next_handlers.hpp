#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// GET /jobs/{id}/next?count=N&tz=ZONE&after=T: the coming occurrences of a
// stored job, computed by the service (DST-correct, from the job's own
// schedule): from its next_run, or for a paused job from now as if it were
// resumed. Each occurrence is given as the UTC instant, as the wall clock of
// the job's zone (a cron job's timezone, UTC for other schedules) and, with
// `tz`, of that zone. `after` pages on: occurrences strictly after it, in
// phase with the schedule. `store` and `clock` must outlive the router.
void RegisterJobNextHandler(Router& router, store::JobStore& store, const core::Clock& clock);

}  // namespace jobsched::api
