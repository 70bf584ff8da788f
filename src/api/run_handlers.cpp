#include "api/run_handlers.hpp"

#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/pagination.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"

namespace jobsched::api {
namespace {

void ListJobRuns(store::JobStore& store, const HttpRequest& request, const PathParams& params, Responder respond) {
  auto job_id = PathId(params, "id");
  if (!job_id) return respond(ProblemResponse(job_id.error()));
  auto query_params = QueryParams::Parse(request.query);
  if (!query_params) return respond(ProblemResponse(query_params.error()));
  auto page = ParsePageRequest(*query_params);
  if (!page) return respond(ProblemResponse(page.error()));
  // An unknown job is a 404, not an empty history.
  if (auto job = store.GetJob(*job_id); !job) return respond(ProblemResponse(job.error()));

  store::RunListQuery query;
  query.job_id = *job_id;
  query.before_id = page->cursor;
  query.limit = page->limit + 1;  // one extra row tells whether a next page exists
  auto runs = store.ListRuns(query);
  if (!runs) return respond(ProblemResponse(runs.error()));
  const bool has_more = runs->size() > page->limit;
  if (has_more) runs->pop_back();

  std::string body = EncodeRuns(*runs);
  std::string etag = ContentETag(body);
  HttpResponse response = CacheableJsonResponse(request, std::move(body), std::move(etag));
  if (has_more) SetNextPageLink(response, "/jobs/" + std::to_string(*job_id) + "/runs", page->limit, runs->back().id, "");
  respond(std::move(response));
}

void GetRun(store::JobStore& store, const HttpRequest& request, const PathParams& params, Responder respond) {
  auto run_id = PathId(params, "id");
  if (!run_id) return respond(ProblemResponse(run_id.error()));
  auto run = store.GetRun(*run_id);
  if (!run) return respond(ProblemResponse(run.error()));
  std::string body = EncodeRun(*run);
  std::string etag = ContentETag(body);
  respond(CacheableJsonResponse(request, std::move(body), std::move(etag)));
}

}  // namespace

void RegisterRunHandlers(Router& router, store::JobStore& store) {
  router.Add("GET", "/jobs/{id}/runs", [&store](HttpRequest&& request, const PathParams& params, Responder respond) {
    ListJobRuns(store, request, params, std::move(respond));
  });
  router.Add("GET", "/runs/{id}", [&store](HttpRequest&& request, const PathParams& params, Responder respond) {
    GetRun(store, request, params, std::move(respond));
  });
}

}  // namespace jobsched::api
