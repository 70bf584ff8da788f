#pragma once

#include <functional>

#include "api/router.hpp"
#include "core/clock.hpp"
#include "core/run.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// POST /jobs/bulk (pause, resume, trigger or delete many jobs) and POST
// /runs/bulk (cancel many runs), for the console (decision 0008). The
// targets are the ids given, or every job (run) a filter matches, read first
// by keyset pages of kBulkBatchSize; more than kMaxBulkTargets is refused
// whole. They are then changed kBulkBatchSize at a time, each batch in one
// store transaction (JobStore::ChangeJobs, CancelRuns) submitted once the
// previous one committed. A job (run) is judged as it is when its batch is
// applied: one deleted meanwhile fails as not found, one paused meanwhile is
// unchanged by a pause. A caller bound to a namespace reaches only its jobs;
// the others' ids fail as not found. With "dry_run": true (or ?dry_run=true)
// nothing is written: the answer counts what would happen, from reads.
class BulkHandlers {
 public:
  // `store` and `clock` must outlive the handlers and the router they join.
  // `on_cancel_requested` (may be empty) hears of each running run asked to
  // stop, as JobHandlerOptions::on_cancel_requested does.
  BulkHandlers(store::JobStore& store, const core::Clock& clock,
               std::function<void(core::RunId)> on_cancel_requested = {})
      : store_(store), clock_(clock), on_cancel_requested_(std::move(on_cancel_requested)) {}

  void Register(Router& router);

 private:
  void ChangeJobs(const HttpRequest& request, Responder respond);
  void CancelRuns(const HttpRequest& request, Responder respond);

  store::JobStore& store_;
  const core::Clock& clock_;
  const std::function<void(core::RunId)> on_cancel_requested_;
};

}  // namespace jobsched::api
