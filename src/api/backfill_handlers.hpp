#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// POST /jobs/{id}/backfill with {"from": T, "to": T}: one run (trigger
// "backfill") per occurrence of the job's own schedule in [from, to)
// (core::BackfillOccurrences: DST-correct, at most 10,000, `to` not in the
// future), all queued in one transaction; an occurrence that already has a
// run (fired, skipped or backfilled) is counted, not run again. Answers 202
// with how many runs were created and how many existed; `?dry_run=true`
// answers 200 with the same counts and writes nothing. `store` and `clock`
// must outlive the router.
void RegisterBackfillHandler(Router& router, store::JobStore& store, const core::Clock& clock);

}  // namespace jobsched::api
