#include "api/run_handlers.hpp"

#include "api/job_handlers.hpp"
#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/keyset_page.hpp"
#include "api/pagination.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"
#include "api/run_filter.hpp"
#include "core/text.hpp"

namespace jobsched::api {
namespace {

// Runs `query` (its limit one above the page's, so the extra row tells
// whether a next page exists) and answers with the page, its ETag and, when
// more follow, a Link to `path` keeping `filters`.
void RespondWithRunPage(store::JobStore& store, const HttpRequest& request, store::RunListQuery query,
                        const PageRequest& page, const std::string& path, std::string_view filters,
                        const Responder& respond) {
  query.before_id = page.cursor;
  query.limit = page.limit + 1;
  RespondWithKeysetPage(request, store.ListRuns(query), page.limit, EncodeRuns, path, filters, respond);
}

void ListJobRuns(store::JobStore& store, const HttpRequest& request, const PathParams& params,
                 const Responder& respond) {
  auto job_id = PathId(params, "id");
  if (!job_id) return respond(ProblemResponse(job_id.error()));
  auto query_params = QueryParams::Parse(request.query);
  if (!query_params) return respond(ProblemResponse(query_params.error()));
  auto page = ParsePageRequest(*query_params);
  if (!page) return respond(ProblemResponse(page.error()));
  // An unknown job (or one of another namespace) is a 404, not an empty history.
  if (auto job = VisibleJob(store, request.caller, *job_id); !job) return respond(ProblemResponse(job.error()));

  store::RunListQuery query;
  query.job_id = *job_id;
  RespondWithRunPage(store, request, query, *page, "/jobs/" + std::to_string(*job_id) + "/runs", "", respond);
}

// GET /runs: runs of every job, newest first, filtered by state, job,
// trigger and a scheduled_for range; the filters are kept in the next page's Link.
void ListAllRuns(store::JobStore& store, const HttpRequest& request, const Responder& respond) {
  auto params = QueryParams::Parse(request.query);
  if (!params) return respond(ProblemResponse(params.error()));
  auto page = ParsePageRequest(*params);
  if (!page) return respond(ProblemResponse(page.error()));
  store::RunListQuery query;
  if (!request.caller.all_namespaces) query.job_namespace = request.caller.home_namespace;
  std::string filters;
  // In this order in the next page's Link, as ever.
  for (const std::string_view member : {"state", "job_id", "trigger", "scheduled_from", "scheduled_until"}) {
    const auto value = params->Get(member);
    if (!value) continue;
    if (member == "job_id") {
      auto id = params->GetInt("job_id", 0, 1, INT64_MAX);
      if (!id) return respond(ProblemResponse(id.error()));
      // A job of another namespace lists nothing, as a job without runs.
      query.job_id = *id;
      filters += "&job_id=" + std::to_string(*id);
      continue;
    }
    if (auto set = SetRunFilter(query, member, *value); !set) return respond(ProblemResponse(set.error()));
    filters += "&" + std::string(member) + "=" + core::PercentEncode(*value);
  }
  RespondWithRunPage(store, request, query, *page, "/runs", filters.empty() ? "" : filters.substr(1), respond);
}

// The run with this id if `caller` may see its job; kNotFound, exactly as
// for a missing run, otherwise.
core::Result<core::Run> VisibleRun(store::JobStore& store, const Caller& caller, core::RunId id) {
  auto run = store.GetRun(id);
  if (!run) return run.error();
  if (caller.all_namespaces) return run;
  if (auto job = VisibleJob(store, caller, run->job_id); !job) {
    if (job.error().code != core::ErrorCode::kNotFound) return job.error();
    return core::Error::NotFound("run " + std::to_string(id) + " does not exist");
  }
  return run;
}

void GetRun(store::JobStore& store, const HttpRequest& request, const PathParams& params, const Responder& respond) {
  auto run_id = PathId(params, "id");
  if (!run_id) return respond(ProblemResponse(run_id.error()));
  auto run = VisibleRun(store, request.caller, *run_id);
  if (!run) return respond(ProblemResponse(run.error()));
  std::string body = EncodeRun(*run);
  std::string etag = ContentETag(body);
  respond(CacheableJsonResponse(request, std::move(body), std::move(etag)));
}

void ListRunAttempts(store::JobStore& store, const HttpRequest& request, const PathParams& params,
                     const Responder& respond) {
  auto run_id = PathId(params, "id");
  if (!run_id) return respond(ProblemResponse(run_id.error()));
  if (!request.caller.all_namespaces) {
    if (auto run = VisibleRun(store, request.caller, *run_id); !run) return respond(ProblemResponse(run.error()));
  }
  auto attempts = store.ListRunAttempts(*run_id);
  if (!attempts) return respond(ProblemResponse(attempts.error()));
  std::string body = EncodeRunAttempts(*attempts);
  std::string etag = ContentETag(body);
  respond(CacheableJsonResponse(request, std::move(body), std::move(etag)));
}

}  // namespace

void RegisterRunHandlers(Router& router, store::JobStore& store) {
  router.Add("GET", "/jobs/{id}/runs",
             [&store](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               ListJobRuns(store, request, params, respond);
             });
  router.Add("GET", "/runs", [&store](HttpRequest&& request, const PathParams&, const Responder& respond) {
    ListAllRuns(store, request, respond);
  });
  router.Add("GET", "/runs/{id}", [&store](HttpRequest&& request, const PathParams& params, const Responder& respond) {
    GetRun(store, request, params, respond);
  });
  router.Add("GET", "/runs/{id}/attempts",
             [&store](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               ListRunAttempts(store, request, params, respond);
             });
}

}  // namespace jobsched::api
