#include "api/schedule_handlers.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "core/job_validation.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultCount = 10;
constexpr std::int64_t kMaxCount = 1000;

struct PreviewRequest {
  core::JobRequest schedule;
  std::optional<std::string> after;
  std::int64_t count = kDefaultCount;
};

core::Result<PreviewRequest> DecodePreview(std::string_view body) {
  json::error_code error;
  json::value document = json::parse(json::string_view(body.data(), body.size()), error);
  if (error) return core::Error::InvalidArgument("body", "request body is not valid JSON: " + error.message());
  if (!document.is_object()) return core::Error::InvalidArgument("body", "request body must be a JSON object");
  PreviewRequest preview;
  for (const auto& member : document.as_object()) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    if (key == "count") {
      if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > kMaxCount) {
        return core::Error::InvalidArgument("count", "count: must be an integer from 1 to 1000");
      }
      preview.count = value.as_int64();
      continue;
    }
    std::optional<std::string>* field = key == "after" ? &preview.after : JobRequestStringField(preview.schedule, key);
    if (field == nullptr || key == "name" || key == "timeout" || key == "misfire" || key == "catchup_window" ||
        key == "overlap" || key == "jitter" || key == "namespace") {
      return core::Error::InvalidArgument(std::string(key.substr(0, 64)),
                                          "unknown field '" + std::string(key.substr(0, 64)) +
                                              "'; a preview takes interval, every, cron, timezone, at, start_at, "
                                              "end_at, after and count");
    }
    if (value.is_null()) continue;
    if (!value.is_string()) {
      return core::Error::InvalidArgument(std::string(key), std::string(key) + ": must be a string");
    }
    *field = std::string(value.as_string().data(), value.as_string().size());
  }
  return preview;
}

HttpResponse Preview(const HttpRequest& request, const core::Clock& clock) {
  auto preview = DecodePreview(request.body);
  if (!preview) return ProblemResponse(preview.error());
  core::TimePoint after = clock.Now();
  if (preview->after) {
    auto parsed = core::ParseRfc3339(*preview->after, "after");
    if (!parsed) return ProblemResponse(parsed.error());
    after = *parsed;
  }
  auto schedule = core::ScheduleFromRequest(preview->schedule, after);
  if (!schedule) return ProblemResponse(schedule.error());

  std::string body = "{\"next_runs\":[";
  std::optional<core::TimePoint> next = schedule->FirstRun(after);
  for (std::int64_t i = 0; i < preview->count && next; ++i) {
    if (i > 0) body += ',';
    body += '"';
    body += core::FormatRfc3339(*next);
    body += '"';
    next = schedule->NextAfter(*next);
  }
  body += "]}";
  return JsonResponse(200, std::move(body));
}

}  // namespace

void RegisterScheduleHandlers(Router& router, const core::Clock& clock) {
  router.Add("POST", "/schedules/preview",
             [&clock](HttpRequest&& request, const PathParams&, const Responder& respond) {
               respond(Preview(request, clock));
             });
}

}  // namespace jobsched::api
