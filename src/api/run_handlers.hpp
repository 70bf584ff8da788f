#pragma once

#include "api/router.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// Run history: GET /jobs/{id}/runs (newest first, paginated), GET /runs
// (every job's, filtered by state and time) and GET /runs/{id}.
// `store` must outlive the router.
void RegisterRunHandlers(Router& router, store::JobStore& store);

}  // namespace jobsched::api
