#pragma once

#include <memory>
#include <string>

#include "api/health_handlers.hpp"
#include "api/http_message.hpp"
#include "api/job_handlers.hpp"
#include "api/router.hpp"
#include "core/clock.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

struct ApiOptions {
  JobHandlerOptions jobs;
  // Where Swagger UI's assets are (see RegisterDocsHandlers).
  std::string docs_dir;
  // Extra conditions of GET /readyz (see RegisterHealthHandlers).
  ReadinessCheck ready;
};

// Every route of the HTTP API, registered on one router: jobs and their
// lifecycle, runs, schedule previews, health, the OpenAPI document and
// Swagger UI. `store` and `clock` must outlive it.
class Api {
 public:
  Api(store::JobStore& store, const core::Clock& clock, ApiOptions options);

  // Answers one request; what the HTTP server calls, from any thread.
  void Handle(HttpRequest&& request, Responder respond) const { router_.Dispatch(std::move(request), std::move(respond)); }

  const Router& router() const { return router_; }

 private:
  Router router_;
  std::unique_ptr<JobHandlers> jobs_;
};

}  // namespace jobsched::api
