#pragma once

// Dry runs: every change the API offers (POST /jobs, PATCH and DELETE
// /jobs/{id}, pause, resume, trigger, cancel) takes `?dry_run=true`, and then
// validates and answers what it would do without writing anything: 200 with
// a DryRun body (docs/openapi.yaml). A dry run reads the store outside any
// write transaction, so a concurrent write may still make the real request
// fail; it never makes it succeed where the dry run failed for bad input.

#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// Whether the request asks for a dry run: `dry_run=true` (or `false`) in its
// query string. Fails with kInvalidArgument naming "dry_run" (or "query").
core::Result<bool> DryRunRequested(const HttpRequest& request);

// What a dry run answers.
struct DryRunAnswer {
  std::string_view action;  // create, update, pause, resume, delete, trigger, cancel
  // The job as it would be stored (create, update, pause, resume; its id is
  // null for a create) or as it is (delete, trigger, cancel).
  const core::Job* job = nullptr;
  // update, pause, resume: the job as stored now; the answer then lists the
  // members that would change.
  const core::Job* current = nullptr;
  // cancel: the run as it is now.
  const core::Run* run = nullptr;
};

// 200 with the DryRun body for `answer`, and for a stored job its current
// ETag (If-Match with it makes exactly the previewed change, or none).
HttpResponse DryRunResponse(const DryRunAnswer& answer);

// The API members (as EncodeJob writes them) in which `after` differs from
// `before`, in the order of the job's representation; next_run included,
// version, updated_at and created_at (which every change moves) left out.
// Task secrets are compared in full, so changing only a secret counts,
// although both sides show it as REDACTED.
std::vector<std::string> ChangedMembers(const core::Job& before, const core::Job& after);

// JobNameTaken when a job other than `job` (by id) of its namespace has its
// name; read from the store, for dry runs (the real write is refused by the
// store's unique index).
core::Result<void> CheckNameFree(store::JobStore& store, const core::Job& job);

// What TriggerJob would refuse: kConflict while a run of a job whose overlap
// policy is skip has not finished.
core::Result<void> CheckTriggerAllowed(store::JobStore& store, const core::Job& job);

// The run CancelRun would cancel: kNotFound for a run not of `job_id`,
// kConflict for one that has already ended.
core::Result<core::Run> CheckCancelAllowed(store::JobStore& store, core::JobId job_id, core::RunId run_id);

}  // namespace jobsched::api
