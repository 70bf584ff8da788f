// The lifecycle half of JobHandlers: change, pause, resume, trigger, cancel,
// delete.
#include <utility>

#include "api/dry_run.hpp"
#include "api/job_etag.hpp"
#include "api/job_handlers.hpp"
#include "api/json_body.hpp"
#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/pause_request.hpp"
#include "api/problem.hpp"
#include "api/request_audit.hpp"

namespace jobsched::api {
namespace {

HttpResponse JobResponse(int status, const core::Job& job) {
  std::string body = EncodeJob(job);
  std::string etag = JobETag(job, body);
  HttpResponse response = JsonResponse(status, std::move(body));
  response.SetHeader("ETag", std::move(etag));
  return response;
}

}  // namespace

namespace {

// What the audit log calls a change ApplyChange makes as `action`.
std::string_view AuditActionOf(std::string_view action) {
  if (action == "pause") return core::audit_action::kJobPaused;
  if (action == "resume") return core::audit_action::kJobResumed;
  return core::audit_action::kJobUpdated;
}

}  // namespace

void JobHandlers::RegisterLifecycle(Router& router) {
  router.Add("PATCH", "/jobs/{id}", [this](HttpRequest&& request, const PathParams& params, Responder respond) {
    PatchJob(request, params, std::move(respond));
  });
  router.Add("DELETE", "/jobs/{id}", [this](HttpRequest&& request, const PathParams& params, Responder respond) {
    DeleteJob(request, params, std::move(respond));
  });
  router.Add("POST", "/jobs/{id}/pause", [this](HttpRequest&& request, const PathParams& params, Responder respond) {
    PauseJob(request, params, std::move(respond));
  });
  router.Add("POST", "/jobs/{id}/resume", [this](HttpRequest&& request, const PathParams& params, Responder respond) {
    SetActive(request, params, true, std::move(respond));
  });
  router.Add("POST", "/jobs/{id}/trigger", [this](HttpRequest&& request, const PathParams& params, Responder respond) {
    TriggerJob(request, params, std::move(respond));
  });
  router.Add("POST", "/jobs/{id}/runs/{run_id}/cancel",
             [this](HttpRequest&& request, const PathParams& params, Responder respond) {
               CancelRun(request, params, std::move(respond));
             });
}

void JobHandlers::PatchJob(const HttpRequest& request, const PathParams& params, Responder respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  auto patch = DecodeJobPatch(request.body);
  if (!patch) return respond(ProblemResponse(patch.error()));
  if (auto enabled = CheckTaskEnabled(patch->set.task, request.caller); !enabled) {
    return respond(ProblemResponse(enabled.error()));
  }
  ApplyChange(
      *id, request,
      [patch = std::move(patch).value(), limits = options_.limits](const core::Job& current,
                                                                   core::TimePoint now) -> core::Result<core::Job> {
        auto patched = core::ApplyJobPatch(current, patch, now);
        // Only what the patch changes is held to the minimum: a job stored
        // before it existed can still be renamed (or paused).
        const core::JobRequest& set = patch.set;
        const bool paced = set.interval || set.every || set.cron || set.at || set.jitter || set.retry;
        if (patched && paced) {
          if (auto within = core::CheckJobLimits(*patched, limits); !within) return within.error();
        }
        return patched;
      },
      "update", *dry_run, std::move(respond));
}

void JobHandlers::SetActive(const HttpRequest& request, const PathParams& params, bool active, Responder respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  core::JobPatch patch;
  patch.set.is_active = active;
  ApplyChange(
      *id, request,
      [patch = std::move(patch)](const core::Job& current, core::TimePoint now) -> core::Result<core::Job> {
        // Pausing a paused job (or resuming a running one) changes nothing.
        if (current.is_active == *patch.set.is_active) return current;
        return core::ApplyJobPatch(current, patch, now);
      },
      active ? "resume" : "pause", *dry_run, std::move(respond));
}

void JobHandlers::PauseJob(const HttpRequest& request, const PathParams& params, Responder respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  auto pause = DecodePauseRequest(request);
  if (!pause) return respond(JsonBodyProblem(pause.error()));
  ApplyChange(
      *id, request,
      [pause = std::move(pause).value()](const core::Job& current, core::TimePoint now) -> core::Result<core::Job> {
        // `until` as a duration counts from `now`, the time of the write.
        auto paused = core::PauseJob(current, pause, now);
        if (!paused) return paused.error();
        // Already paused exactly so: nothing changes.
        if (!*paused) return current;
        return std::move(**paused);
      },
      "pause", *dry_run, std::move(respond));
}

void JobHandlers::ApplyChange(core::JobId id, const HttpRequest& request, Change change, std::string_view action,
                              bool dry_run, Responder respond) {
  std::string if_match(request.Header("If-Match"));
  if (dry_run) return PreviewChange(id, request.caller, if_match, change, action, respond);
  const core::TimePoint now = clock_.Now();
  store_.UpdateJob(
      id,
      [id, caller = request.caller, if_match = std::move(if_match), change = std::move(change),
       now](const core::Job& current) -> core::Result<core::Job> {
        // Checked on the job as read in the write's own transaction.
        if (!caller.MayAccess(current.namespace_name)) return HiddenJobError(id);
        if (auto matches = CheckIfMatch(if_match, current); !matches) return matches.error();
        return change(current, now);
      },
      [respond = std::move(respond)](core::Result<core::Job> updated) {
        if (!updated) return respond(ProblemResponse(updated.error()));
        respond(JobResponse(200, *updated));
      },
      RequestAudit(request, now, AuditActionOf(action)));
}

void JobHandlers::PreviewChange(core::JobId id, const Caller& caller, std::string_view if_match, const Change& change,
                                std::string_view action, const Responder& respond) {
  auto current = VisibleJob(store_, caller, id);
  if (!current) return respond(ProblemResponse(current.error()));
  if (auto matches = CheckIfMatch(if_match, *current); !matches) return respond(ProblemResponse(matches.error()));
  auto changed = change(*current, clock_.Now());
  if (!changed) return respond(ProblemResponse(changed.error()));
  changed->id = id;
  if (changed->name != current->name) {
    if (auto free = CheckNameFree(store_, *changed); !free) return respond(ProblemResponse(free.error()));
  }
  respond(DryRunResponse({.action = action, .job = &*changed, .current = &*current}));
}

void JobHandlers::DeleteJob(const HttpRequest& request, const PathParams& params, Responder respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  if (*dry_run) {
    auto job = VisibleJob(store_, request.caller, *id);
    if (!job) return respond(ProblemResponse(job.error()));
    if (auto matches = CheckIfMatch(request.Header("If-Match"), *job); !matches) {
      return respond(ProblemResponse(matches.error()));
    }
    return respond(DryRunResponse({.action = "delete", .job = &*job}));
  }
  store_.DeleteJob(
      *id,
      [id = *id, caller = request.caller,
       if_match = std::string(request.Header("If-Match"))](const core::Job& current) -> core::Result<void> {
        if (!caller.MayAccess(current.namespace_name)) return HiddenJobError(id);
        return CheckIfMatch(if_match, current);
      },
      [respond = std::move(respond)](const core::Result<void>& deleted) {
        if (!deleted) return respond(ProblemResponse(deleted.error()));
        HttpResponse response;
        response.status = 204;
        respond(std::move(response));
      },
      RequestAudit(request, clock_.Now(), core::audit_action::kJobDeleted));
}

void JobHandlers::TriggerJob(const HttpRequest& request, const PathParams& params, Responder respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  if (*dry_run) {
    auto job = VisibleJob(store_, request.caller, *id);
    if (!job) return respond(ProblemResponse(job.error()));
    if (auto allowed = CheckTriggerAllowed(store_, *job); !allowed) return respond(ProblemResponse(allowed.error()));
    return respond(DryRunResponse({.action = "trigger", .job = &*job}));
  }
  // A job never changes namespace, so checking before the write holds for it.
  if (!request.caller.all_namespaces) {
    if (auto job = VisibleJob(store_, request.caller, *id); !job) return respond(ProblemResponse(job.error()));
  }
  const core::TimePoint now = clock_.Now();
  store_.TriggerJob(
      *id, now,
      [respond = std::move(respond)](core::Result<core::Run> run) {
        if (!run) return respond(ProblemResponse(run.error()));
        HttpResponse response = JsonResponse(202, EncodeRun(*run));
        response.SetHeader("Location", "/runs/" + std::to_string(run->id));
        respond(std::move(response));
      },
      RequestAudit(request, now, core::audit_action::kJobRunNow));
}

void JobHandlers::CancelRun(const HttpRequest& request, const PathParams& params, Responder respond) {
  auto job_id = PathId(params, "id");
  if (!job_id) return respond(ProblemResponse(job_id.error()));
  auto run_id = PathId(params, "run_id");
  if (!run_id) return respond(ProblemResponse(run_id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  if (*dry_run) {
    auto job = VisibleJob(store_, request.caller, *job_id);
    if (!job) return respond(ProblemResponse(job.error()));
    auto run = CheckCancelAllowed(store_, *job_id, *run_id);
    if (!run) return respond(ProblemResponse(run.error()));
    return respond(DryRunResponse({.action = "cancel", .job = &*job, .run = &*run}));
  }
  if (!request.caller.all_namespaces) {
    if (auto job = VisibleJob(store_, request.caller, *job_id); !job) return respond(ProblemResponse(job.error()));
  }
  store_.CancelRun(*job_id, *run_id, clock_.Now(), [this, respond = std::move(respond)](core::Result<core::Run> run) {
    if (!run) return respond(ProblemResponse(run.error()));
    // A queued run is cancelled now (200); a running one once its executor
    // has stopped it (202: watch GET /runs/{id}).
    const bool ended = core::IsTerminal(run->state);
    if (!ended && options_.on_cancel_requested) options_.on_cancel_requested(run->id);
    HttpResponse response = JsonResponse(ended ? 200 : 202, EncodeRun(*run));
    response.SetHeader("Location", "/runs/" + std::to_string(run->id));
    respond(std::move(response));
  });
}

}  // namespace jobsched::api
