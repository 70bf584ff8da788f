#include "api/job_handlers.hpp"

#include <charconv>

#include "api/form_codec.hpp"
#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"

namespace jobsched::api {
namespace {

constexpr std::int64_t kDefaultPageSize = 100;
constexpr std::int64_t kMaxPageSize = 1000;

std::optional<core::JobId> ParseId(std::string_view text) {
  core::JobId id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::string_view MediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media;
}

bool IsJson(std::string_view media) {
  return media.empty() || media == "application/json" || (media.size() > 5 && media.substr(media.size() - 5) == "+json");
}

bool StartsLikeJson(std::string_view body) {
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
}

// JSON, or a form as the original service also accepted. `curl -d '{...}'`
// labels JSON as a form; a body that starts like JSON is read as JSON.
core::Result<core::JobRequest> DecodeCreateBody(const HttpRequest& request) {
  const std::string_view media = MediaType(request.Header("Content-Type"));
  if (IsJson(media) || (media == "application/x-www-form-urlencoded" && StartsLikeJson(request.body))) {
    return DecodeJobRequest(request.body);
  }
  if (media == "application/x-www-form-urlencoded") return DecodeJobRequestForm(request.body);
  return core::Error::InvalidArgument("Content-Type", "request body must be application/json");
}

// The job's ETag is its version, so If-Match on later writes can compare it.
std::string JobETag(const core::Job& job) { return "\"" + std::to_string(job.version) + "\""; }

}  // namespace

void JobHandlers::Register(Router& router) {
  router.Add("POST", "/jobs", [this](HttpRequest&& request, const PathParams&, Responder respond) {
    CreateJob(std::move(request), std::move(respond));
  });
  router.Add("GET", "/jobs", [this](HttpRequest&& request, const PathParams&, Responder respond) {
    ListJobs(request, std::move(respond));
  });
  router.Add("GET", "/jobs/{id}", [this](HttpRequest&& request, const PathParams& params, Responder respond) {
    GetJob(request, params, std::move(respond));
  });
}

void JobHandlers::CreateJob(HttpRequest&& request, Responder respond) {
  auto decoded = DecodeCreateBody(request);
  if (!decoded) {
    const bool bad_media = decoded.error().field == "Content-Type";
    respond(bad_media ? ProblemResponse(415, decoded.error().message, "Content-Type", "unsupported_media_type")
                      : ProblemResponse(decoded.error()));
    return;
  }
  auto job = core::ValidateNewJob(*decoded, clock_.Now());
  if (!job) {
    respond(ProblemResponse(job.error()));
    return;
  }
  // Answered from the store's writer thread once the job is durable.
  store_.CreateJob(std::move(job).value(), [respond = std::move(respond)](core::Result<core::Job> created) {
    if (!created) {
      respond(ProblemResponse(created.error()));
      return;
    }
    HttpResponse response = JsonResponse(201, EncodeJob(*created));
    response.SetHeader("Location", "/jobs/" + std::to_string(created->id));
    response.SetHeader("ETag", JobETag(*created));
    respond(std::move(response));
  });
}

void JobHandlers::GetJob(const HttpRequest& request, const PathParams& params, Responder respond) {
  const std::string& raw_id = params.find("id")->second;
  const auto id = ParseId(raw_id);
  if (!id) {
    respond(ProblemResponse(404, "job " + raw_id.substr(0, 32) + " does not exist", "id", "not_found"));
    return;
  }
  auto job = store_.GetJob(*id);
  if (!job) {
    respond(ProblemResponse(job.error()));
    return;
  }
  respond(CacheableJsonResponse(request, EncodeJob(*job), JobETag(*job)));
}

void JobHandlers::ListJobs(const HttpRequest& request, Responder respond) {
  auto params = QueryParams::Parse(request.query);
  if (!params) {
    respond(ProblemResponse(params.error()));
    return;
  }
  auto limit = params->GetInt("limit", kDefaultPageSize, 1, kMaxPageSize);
  if (!limit) {
    respond(ProblemResponse(limit.error()));
    return;
  }
  // The cursor is the last id of the previous page. Clients must treat it as
  // opaque: only the Link header's URL is a promise.
  auto cursor = params->GetInt("cursor", 0, 0, INT64_MAX);
  if (!cursor) {
    respond(ProblemResponse(core::Error::InvalidArgument("cursor", "cursor: not a cursor this service issued")));
    return;
  }
  auto is_active = params->GetBool("is_active");
  if (!is_active) {
    respond(ProblemResponse(is_active.error()));
    return;
  }

  store::JobListQuery query;
  query.limit = static_cast<std::size_t>(*limit) + 1;  // one extra row tells whether a next page exists
  query.after_id = *cursor;
  query.is_active = *is_active;
  auto jobs = store_.ListJobs(query);
  if (!jobs) {
    respond(ProblemResponse(jobs.error()));
    return;
  }
  const bool has_more = jobs->size() > static_cast<std::size_t>(*limit);
  if (has_more) jobs->pop_back();

  std::string body = EncodeJobs(*jobs);
  std::string etag = ContentETag(body);
  HttpResponse response = CacheableJsonResponse(request, std::move(body), std::move(etag));
  if (has_more) {
    std::string next = "/jobs?limit=" + std::to_string(*limit) + "&cursor=" + std::to_string(jobs->back().id);
    if (*is_active) next += **is_active ? "&is_active=true" : "&is_active=false";
    response.SetHeader("Link", "<" + next + ">; rel=\"next\"");
  }
  respond(std::move(response));
}

}  // namespace jobsched::api
