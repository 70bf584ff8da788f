#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"
#include "store/alert_store.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// Alerts and their delivery (docs/decisions/0011-alerts.md): GET /alerts
// (the caller's namespace, or every one for an admin; filtered by job_id,
// event and state) and GET /jobs/{id}/alerts, newest first, paged by keyset
// like the runs; and a namespace's default rule for its jobs without one:
// GET, PUT and DELETE /namespaces/{namespace}/alerts (a read or write key:
// its own namespace only). `alerts`, `jobs` and `clock` must outlive the router.
void RegisterAlertHandlers(Router& router, store::AlertStore& alerts, store::JobStore& jobs, const core::Clock& clock);

}  // namespace jobsched::api
