#pragma once

#include "api/router.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// GET /healthz: 200 while the process runs and its database answers, 503
// problem+json otherwise. `store` must outlive the router.
void RegisterHealthHandlers(Router& router, store::JobStore& store);

}  // namespace jobsched::api
