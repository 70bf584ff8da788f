#include "api/job_handlers.hpp"

#include <cctype>

#include "api/dry_run.hpp"
#include "api/form_codec.hpp"
#include "api/job_encoding.hpp"
#include "api/job_etag.hpp"
#include "api/job_list.hpp"
#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/pagination.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"
#include "api/request_audit.hpp"

namespace jobsched::api {
namespace {

bool IsJson(std::string_view media) {
  return media.empty() || media == "application/json" ||
         (media.size() > 5 && media.substr(media.size() - 5) == "+json");
}

bool StartsLikeJson(std::string_view body) {
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
}

// JSON, or a form as the original service also accepted. `curl -d '{...}'`
// labels JSON as a form; a body that starts like JSON is read as JSON.
core::Result<core::JobRequest> DecodeCreateBody(const HttpRequest& request) {
  const std::string media = MediaType(request.Header("Content-Type"));
  if (IsJson(media) || (media == "application/x-www-form-urlencoded" && StartsLikeJson(request.body))) {
    return DecodeJobRequest(request.body);
  }
  if (media == "application/x-www-form-urlencoded") return DecodeJobRequestForm(request.body);
  return core::Error::InvalidArgument("Content-Type", "request body must be application/json");
}

// GET /jobs's query string: the page asked for and the filters, as given.
}  // namespace

core::Error HiddenJobError(core::JobId id) {
  return core::Error::NotFound("job " + std::to_string(id) + " does not exist");
}

core::Result<core::Job> VisibleJob(store::JobStore& store, const Caller& caller, core::JobId id) {
  auto job = store.GetJob(id);
  if (!job) return job.error();
  // A caller learns nothing about other namespaces, not even which ids are taken.
  if (!caller.MayAccess(job->namespace_name)) return HiddenJobError(id);
  return job;
}

void JobHandlers::Register(Router& router) {
  router.Add("POST", "/jobs", [this](HttpRequest&& request, const PathParams&, Responder respond) {
    CreateJob(std::move(request), std::move(respond));
  });
  router.Add("GET", "/jobs", [this](HttpRequest&& request, const PathParams&, const Responder& respond) {
    ListJobs(request, respond);
  });
  router.Add("GET", "/jobs/{id}", [this](HttpRequest&& request, const PathParams& params, const Responder& respond) {
    GetJob(request, params, respond);
  });
  RegisterLifecycle(router);
}

void JobHandlers::CreateJob(HttpRequest&& request, Responder respond) {
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  auto decoded = DecodeCreateBody(request);
  if (!decoded) {
    const bool bad_media = decoded.error().field == "Content-Type";
    respond(bad_media ? ProblemResponse(415, decoded.error().message, "Content-Type", "unsupported_media_type")
                      : ProblemResponse(decoded.error()));
    return;
  }
  // A read or write key creates jobs only in its own namespace; the request
  // may name it, or leave it to the key (an admin key: to its home namespace).
  if (decoded->namespace_name && !request.caller.MayAccess(*decoded->namespace_name)) {
    respond(ProblemResponse(core::Error::PermissionDenied("API key '" + request.caller.key_name +
                                                          "' may create jobs only in namespace '" +
                                                          request.caller.home_namespace + "'")));
    return;
  }
  if (!decoded->namespace_name) decoded->namespace_name = request.caller.home_namespace;
  auto job = core::ValidateNewJob(*decoded, clock_.Now());
  if (!job) {
    respond(ProblemResponse(job.error()));
    return;
  }
  if (auto within = core::CheckJobLimits(*job, options_.limits); !within) {
    respond(ProblemResponse(within.error()));
    return;
  }
  if (auto enabled = CheckTaskEnabled(job->task, request.caller); !enabled) {
    respond(ProblemResponse(enabled.error()));
    return;
  }
  if (*dry_run) {
    if (auto free = CheckNameFree(store_, *job); !free) return respond(ProblemResponse(free.error()));
    return respond(DryRunResponse({.action = "create", .job = &*job}));
  }
  // Answered from the store's writer thread once the job is durable.
  store_.CreateJob(
      std::move(job).value(),
      [respond = std::move(respond)](core::Result<core::Job> created) {
        if (!created) {
          respond(ProblemResponse(created.error()));
          return;
        }
        std::string body = EncodeJob(*created);
        std::string etag = JobETag(*created, body);
        HttpResponse response = JsonResponse(201, std::move(body));
        response.SetHeader("Location", "/jobs/" + std::to_string(created->id));
        response.SetHeader("ETag", std::move(etag));
        respond(std::move(response));
      },
      RequestAudit(request, clock_.Now(), core::audit_action::kJobCreated));
}

core::Result<void> JobHandlers::CheckTaskEnabled(const std::optional<core::Task>& task, const Caller& caller) const {
  if (task && !options_.task_kinds.Has(*task)) {
    return core::Error::InvalidArgument("task.type", "task.type: " + core::WhyTaskKindDisabled(core::KindOf(*task)));
  }
  // A shell task runs as the service's user, which can read every namespace's
  // jobs and every key's hash: only a key that may do all that anyway may
  // create one.
  if (task && std::holds_alternative<core::ShellTask>(*task) && !caller.admin) {
    return core::Error::PermissionDenied("API key '" + caller.key_name +
                                         "' may not create shell tasks: they run commands on the service's host, "
                                         "which only admin keys may do");
  }
  return core::Ok();
}

void JobHandlers::GetJob(const HttpRequest& request, const PathParams& params, const Responder& respond) {
  const auto id = PathId(params, "id");
  if (!id) {
    respond(ProblemResponse(id.error()));
    return;
  }
  auto snapshot = store_.GetJobSnapshot(*id);
  if (snapshot && !request.caller.MayAccess((*snapshot)->job().namespace_name)) snapshot = HiddenJobError(*id);
  if (!snapshot) {
    respond(ProblemResponse(snapshot.error()));
    return;
  }
  const store::EncodedJob& encoded = EncodedFormOf(**snapshot);
  respond(CacheableJsonResponse(request, encoded.body, encoded.etag));
}

void JobHandlers::ListJobs(const HttpRequest& request, const Responder& respond) {
  auto list = ParseJobList(request.query);
  if (!list) {
    respond(ProblemResponse(list.error()));
    return;
  }
  // A read or write key lists its own namespace only; asking for another
  // one answers an empty list, as for a namespace without jobs.
  const Caller& caller = request.caller;
  const bool foreign = list->filter.Foreign(caller);
  core::Result<std::vector<std::shared_ptr<const store::JobSnapshot>>> jobs =
      std::vector<std::shared_ptr<const store::JobSnapshot>>{};
  if (!foreign) jobs = store_.ListJobSnapshots(list->StoreQuery(caller));
  if (!jobs) {
    respond(ProblemResponse(jobs.error()));
    return;
  }
  const bool has_more = jobs->size() > list->page.limit;
  if (has_more) jobs->pop_back();
  std::optional<std::map<core::JobId, std::vector<core::RunState>>> recent;
  if (list->recent_runs) {
    std::vector<core::JobId> ids;
    ids.reserve(jobs->size());
    for (const auto& job : *jobs) ids.push_back(job->job().id);
    auto states = store_.RecentRunStates(ids, kRecentRunCount);
    if (!states) return respond(ProblemResponse(states.error()));
    recent = std::move(states).value();
  }

  EncodedJobList page = EncodeJobList(*jobs, recent ? &*recent : nullptr);
  HttpResponse response = CacheableJsonResponse(request, std::move(page.body), std::move(page.etag));
  if (has_more)
    SetNextPageLink(response, "/jobs", list->page.limit, list->CursorAfter(jobs->back()->job()), list->Filters());
  respond(std::move(response));
}

}  // namespace jobsched::api
