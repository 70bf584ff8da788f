#include "api/job_next_handlers.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/job_handlers.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"
#include "core/zoned_time.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultCount = 10;
constexpr std::int64_t kMaxCount = 1000;

struct NextQuery {
  std::int64_t count = kDefaultCount;
  std::optional<std::string> tz;
  std::optional<core::TimePoint> after;
};

core::Result<NextQuery> ParseNextQuery(std::string_view query) {
  auto params = QueryParams::Parse(query);
  if (!params) return params.error();
  NextQuery next;
  auto count = params->GetInt("count", kDefaultCount, 1, kMaxCount);
  if (!count) return count.error();
  next.count = *count;
  if (auto tz = params->Get("tz")) {
    if (auto known = core::CheckTimeZone(*tz, "tz"); !known) return known.error();
    next.tz = std::string(*tz);
  }
  if (auto after = params->Get("after")) {
    auto instant = core::ParseRfc3339(*after, "after");
    if (!instant) return instant.error();
    next.after = *instant;
  }
  return next;
}

// The first occurrence to list: the job's next_run (for a paused job, the
// one it would get if resumed now), or with `after`, the first one in phase
// with it strictly after `after`. Occurrences before next_run are past.
std::optional<core::TimePoint> FirstListed(const core::Job& job, const NextQuery& query, core::TimePoint now) {
  std::optional<core::TimePoint> first = job.is_active ? job.next_run : job.schedule.FirstRun(now);
  if (!first || !query.after || *query.after < *first) return first;
  return job.schedule.OccurrenceAfter(*first, *query.after);
}

core::Result<json::object> Occurrence(core::TimePoint at, const std::string& job_zone,
                                      const std::optional<std::string>& tz) {
  json::object occurrence;
  occurrence["utc"] = core::FormatRfc3339(at);
  auto local = core::FormatRfc3339InZone(at, job_zone, "timezone");
  if (!local) return local.error();
  occurrence["local"] = *local;
  if (tz) {
    auto in_tz = core::FormatRfc3339InZone(at, *tz, "tz");
    if (!in_tz) return in_tz.error();
    occurrence["tz"] = *in_tz;
  }
  return occurrence;
}

HttpResponse NextRuns(store::JobStore& store, const HttpRequest& request, const PathParams& params,
                      core::TimePoint now) {
  auto id = PathId(params, "id");
  if (!id) return ProblemResponse(id.error());
  auto query = ParseNextQuery(request.query);
  if (!query) return ProblemResponse(query.error());
  auto job = VisibleJob(store, request.caller, *id);
  if (!job) return ProblemResponse(job.error());

  const std::string job_zone =
      job->schedule.kind() == core::ScheduleKind::kCron ? job->schedule.timezone() : std::string("UTC");
  json::array next_runs;
  std::optional<core::TimePoint> next = FirstListed(*job, *query, now);
  for (std::int64_t i = 0; i < query->count && next; ++i) {
    auto occurrence = Occurrence(*next, job_zone, query->tz);
    if (!occurrence) return ProblemResponse(occurrence.error());
    next_runs.emplace_back(std::move(occurrence).value());
    next = job->schedule.NextAfter(*next);
  }
  json::object body;
  body["job_id"] = job->id;
  body["timezone"] = job_zone;
  if (query->tz) body["tz"] = *query->tz;
  body["is_active"] = job->is_active;
  body["next_runs"] = std::move(next_runs);
  return JsonResponse(200, json::serialize(body));
}

}  // namespace

void RegisterJobNextHandler(Router& router, store::JobStore& store, const core::Clock& clock) {
  router.Add("GET", "/jobs/{id}/next",
             [&store, &clock](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               respond(NextRuns(store, request, params, clock.Now()));
             });
}

}  // namespace jobsched::api
