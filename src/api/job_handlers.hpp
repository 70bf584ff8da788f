#pragma once

#include <functional>

#include "api/router.hpp"
#include "core/clock.hpp"
#include "core/job_limits.hpp"
#include "core/task_kind.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

struct JobHandlerOptions {
  // The task kinds jobs may use here; the others are refused at creation and
  // in a PATCH (with what the operator must set) rather than failing at
  // every run. By default, the kinds that need no setting.
  core::EnabledTaskKinds task_kinds = core::EnabledTaskKinds::From(false, false);
  // Told when someone asked to cancel a running run, so this node's executor
  // stops it at once if it runs it (other nodes learn at their heartbeat).
  std::function<void(core::RunId)> on_cancel_requested;
  // The operator's minimum period (--min-period), checked on create and on a
  // PATCH of the schedule, jitter or retry policy (core::CheckJobLimits).
  core::JobLimits limits = {};
};

// What a caller hears about a job of a namespace it may not access: the
// very answer for a job that does not exist.
core::Error HiddenJobError(core::JobId id);

// The job with this id if `caller` may see it (its namespace); kNotFound,
// exactly as for a missing job, otherwise. Shared with the run handlers.
core::Result<core::Job> VisibleJob(store::JobStore& store, const Caller& caller, core::JobId id);

// The /jobs resource: create, read, list, change (PATCH, pause, resume),
// trigger and delete jobs. Every handler keeps to the namespaces the
// request's caller may access (HttpRequest::caller).
class JobHandlers {
 public:
  // Both references must outlive the handlers and the router they join.
  JobHandlers(store::JobStore& store, const core::Clock& clock, JobHandlerOptions options = {})
      : store_(store), clock_(clock), options_(std::move(options)) {}

  void Register(Router& router);

 private:
  void RegisterLifecycle(Router& router);
  void CreateJob(HttpRequest&& request, Responder respond);
  // job_lifecycle_handlers.cpp
  void PatchJob(const HttpRequest& request, const PathParams& params, Responder respond);
  void SetActive(const HttpRequest& request, const PathParams& params, bool active, Responder respond);
  // POST /jobs/{id}/pause, with an optional reason and until (core::PauseJob).
  void PauseJob(const HttpRequest& request, const PathParams& params, Responder respond);
  void DeleteJob(const HttpRequest& request, const PathParams& params, Responder respond);
  void TriggerJob(const HttpRequest& request, const PathParams& params, Responder respond);
  void CancelRun(const HttpRequest& request, const PathParams& params, Responder respond);
  using Change = std::function<core::Result<core::Job>(const core::Job&, core::TimePoint)>;
  // Writes `change` of the job in one store transaction, after checking that
  // `caller` may access the job and If-Match; with `dry_run`, answers what
  // it would write (a DryRun of `action`) and writes nothing.
  // The change is recorded in the audit log as the request's (RequestAudit).
  void ApplyChange(core::JobId id, const HttpRequest& request, Change change, std::string_view action, bool dry_run,
                   Responder respond);
  void PreviewChange(core::JobId id, const Caller& caller, std::string_view if_match, const Change& change,
                     std::string_view action, const Responder& respond);
  void GetJob(const HttpRequest& request, const PathParams& params, const Responder& respond);
  // Fails naming task.type when `task` is of a kind this service does not
  // accept: email without an SMTP server, shell unless enabled; and with
  // kPermissionDenied for a shell task from a caller that is not admin.
  core::Result<void> CheckTaskEnabled(const std::optional<core::Task>& task, const Caller& caller) const;
  void ListJobs(const HttpRequest& request, const Responder& respond);

  store::JobStore& store_;
  const core::Clock& clock_;
  const JobHandlerOptions options_;
};

}  // namespace jobsched::api
