#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// The /jobs resource: create, read and list jobs.
class JobHandlers {
 public:
  // Both references must outlive the handlers and the router they join.
  JobHandlers(store::JobStore& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  void Register(Router& router);

 private:
  void CreateJob(HttpRequest&& request, Responder respond);
  void GetJob(const HttpRequest& request, const PathParams& params, Responder respond);
  void ListJobs(const HttpRequest& request, Responder respond);

  store::JobStore& store_;
  const core::Clock& clock_;
};

}  // namespace jobsched::api
