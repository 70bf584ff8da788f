#include "api/api.hpp"

#include "api/docs_handlers.hpp"
#include "api/health_handlers.hpp"
#include "api/run_handlers.hpp"
#include "api/schedule_handlers.hpp"

namespace jobsched::api {

Api::Api(store::JobStore& store, const core::Clock& clock, ApiOptions options)
    : jobs_(std::make_unique<JobHandlers>(store, clock, std::move(options.jobs))) {
  jobs_->Register(router_);
  RegisterRunHandlers(router_, store);
  RegisterScheduleHandlers(router_, clock);
  RegisterHealthHandlers(router_, store, std::move(options.ready));
  RegisterDocsHandlers(router_, options.docs_dir);
}

}  // namespace jobsched::api
