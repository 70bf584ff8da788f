#pragma once

#include <functional>

#include "api/router.hpp"
#include "core/result.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// Whether this node should get traffic: the app's own conditions (scheduler
// loop alive, not shutting down); an error says why not.
using ReadinessCheck = std::function<core::Result<void>()>;

// GET /healthz: 200 while the process runs and its database answers, 503
// problem+json otherwise. GET /readyz: 200 when, on top of that, `ready`
// holds; a load balancer stops sending requests on 503 (e.g. during
// shutdown). `store` must outlive the router.
void RegisterHealthHandlers(Router& router, store::JobStore& store, ReadinessCheck ready);

}  // namespace jobsched::api
