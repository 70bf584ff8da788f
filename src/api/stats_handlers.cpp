#include "api/stats_handlers.hpp"

#include <memory>
#include <optional>
#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"
#include "api/stats_cache.hpp"
#include "core/job_namespace.hpp"
#include "core/stats_window.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

using std::chrono::minutes;
using std::chrono::seconds;

// What one request asks for, once the caller's namespace is applied.
struct StatsRequest {
  core::StatsWindow window = core::StatsWindow::kDay;
  std::optional<std::string> job_namespace;  // nullopt: every namespace
  bool hidden = false;                       // a namespace the caller may not see: everything reads as zero
};

core::Result<StatsRequest> ParseStatsRequest(std::string_view query, const Caller& caller) {
  auto params = QueryParams::Parse(query);
  if (!params) return params.error();
  StatsRequest request;
  if (const auto window = params->Get("window")) {
    const auto parsed = core::ParseStatsWindow(*window);
    if (!parsed) return core::Error::InvalidArgument("window", "window: must be 1h, 24h or 7d");
    request.window = *parsed;
  }
  if (const auto job_namespace = params->Get("namespace")) {
    if (auto valid = core::ValidateNamespace(*job_namespace); !valid) return valid.error();
    request.job_namespace = std::string(*job_namespace);
    request.hidden = !caller.MayAccess(*job_namespace);
  }
  if (!caller.all_namespaces) request.job_namespace = caller.home_namespace;
  return request;
}

json::value OptionalNumber(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

std::int64_t RunsIn(const store::StoreStats& stats, core::RunState state) {
  const auto found = stats.runs.find(state);
  return found == stats.runs.end() ? 0 : found->second;
}

std::string EncodeStats(core::StatsWindow window, const core::StatsSpan& span, const store::StoreStats& stats) {
  json::object runs;
  for (const core::RunState state :
       {core::RunState::kQueued, core::RunState::kRunning, core::RunState::kSucceeded, core::RunState::kFailed,
        core::RunState::kTimedOut, core::RunState::kSkipped, core::RunState::kCancelled}) {
    runs[core::ToString(state)] = RunsIn(stats, state);
  }
  json::array series;
  for (const core::StatsBucket& bucket : core::FillSeries(span, stats.buckets)) {
    series.emplace_back(json::object{{"at", core::FormatRfc3339(bucket.at)},
                                     {"runs", bucket.runs},
                                     {"failed", bucket.failed},
                                     {"lateness_p50_ms", OptionalNumber(bucket.lateness_p50_ms)},
                                     {"lateness_p99_ms", OptionalNumber(bucket.lateness_p99_ms)}});
  }
  json::object body;
  body["window"] = core::ToString(window);
  body["from"] = core::FormatRfc3339(span.from);
  body["to"] = core::FormatRfc3339(span.to);
  body["jobs"] = json::object{{"active", stats.jobs_active}, {"paused", stats.jobs_paused}};
  body["runs"] = std::move(runs);
  body["series"] = std::move(series);
  body["late_now"] = stats.late_now;
  body["failing"] = stats.failing;
  body["due_soon"] = stats.due_soon;
  return json::serialize(body);
}

core::Result<std::string> ComputeStats(store::JobStore& store, const StatsRequest& request, core::TimePoint now) {
  const core::StatsSpan span = core::SpanOf(request.window, now);
  if (request.hidden) return EncodeStats(request.window, span, store::StoreStats{});
  store::StatsQuery query;
  query.job_namespace = request.job_namespace;
  query.from = span.from;
  query.to = span.to;
  query.bucket_width = span.bucket_width;
  query.now = now;
  query.late_after = seconds{60};
  query.due_within = minutes{15};
  auto stats = store.Stats(query);
  if (!stats) return stats.error();
  return EncodeStats(request.window, span, *stats);
}

std::string CacheKey(const StatsRequest& request) {
  return std::string(core::ToString(request.window)) + (request.hidden ? " hidden" : "") +
         (request.job_namespace ? " namespace=" + *request.job_namespace : " all");
}

}  // namespace

void RegisterStatsHandler(Router& router, store::JobStore& store, const core::Clock& clock) {
  auto cache = std::make_shared<StatsCache>(clock, kStatsCacheTime);
  router.Add("GET", "/stats", [&store, cache](HttpRequest&& request, const PathParams&, const Responder& respond) {
    auto parsed = ParseStatsRequest(request.query, request.caller);
    if (!parsed) return respond(ProblemResponse(parsed.error()));
    auto body = cache->Get(CacheKey(*parsed),
                           [&store, &parsed](core::TimePoint now) { return ComputeStats(store, *parsed, now); });
    if (!body) return respond(ProblemResponse(body.error()));
    std::string etag = ContentETag(*body);
    respond(CacheableJsonResponse(request, std::move(body).value(), std::move(etag)));
  });
}

}  // namespace jobsched::api
