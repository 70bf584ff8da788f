#pragma once

#include "api/event_hub.hpp"
#include "api/router.hpp"

namespace jobsched::api {

// GET /events: the Server-Sent Events stream of the changes the caller may
// see (EventHub), resuming after the Last-Event-ID header when the client
// sends one. `hub` must outlive the router.
void RegisterEventHandlers(Router& router, EventHub& hub);

}  // namespace jobsched::api
