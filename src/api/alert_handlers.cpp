#include "api/alert_handlers.hpp"

#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/job_handlers.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/keyset_page.hpp"
#include "api/pagination.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"
#include "codec/alert_rule_codec.hpp"
#include "core/job_namespace.hpp"
#include "core/text.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

json::value OptionalTime(const std::optional<core::TimePoint>& time) {
  return time ? json::value(core::FormatRfc3339(*time)) : json::value(nullptr);
}

json::value OptionalInt(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

// An alert as the API shows it: the channel's secrets REDACTED.
json::object EncodeAlert(const store::Alert& alert) {
  json::object out{{"id", alert.id},
                   {"job_id", alert.job_id},
                   {"namespace", alert.namespace_name},
                   {"job_name", alert.job_name},
                   {"event", core::ToString(alert.event)},
                   {"raised_at", core::FormatRfc3339(alert.raised_at)}};
  out["run_id"] = OptionalInt(alert.run_id);
  out["run_state"] = alert.run_state ? json::value(core::ToString(*alert.run_state)) : json::value(nullptr);
  out["scheduled_for"] = OptionalTime(alert.scheduled_for);
  out["error"] = alert.error;
  out["lateness_ms"] = OptionalInt(alert.lateness ? std::optional(alert.lateness->count()) : std::nullopt);
  out["consecutive_failures"] = alert.consecutive_failures;
  out["silent_for_ms"] = OptionalInt(alert.silent_for ? std::optional(alert.silent_for->count()) : std::nullopt);
  out["channel_index"] = alert.channel_index;
  out["channel"] = json::parse(codec::EncodeAlertChannelForApi(alert.channel));
  out["state"] = store::ToString(alert.state);
  out["attempts"] = alert.attempts;
  out["next_attempt_at"] = core::FormatRfc3339(alert.next_attempt_at);
  out["last_error"] = alert.last_error;
  out["sent_at"] = OptionalTime(alert.sent_at);
  return out;
}

// Answers with one page of `query` (its limit one above the page's, so the
// extra row tells whether a next page exists), and a Link to `path` keeping
// `filters` when more follow.
void RespondWithAlertPage(store::AlertStore& alerts, const HttpRequest& request, store::AlertListQuery query,
                          const PageRequest& page, const std::string& path, std::string_view filters,
                          const Responder& respond) {
  query.before_id = page.cursor;
  query.limit = page.limit + 1;
  auto encode = [](const std::vector<store::Alert>& listed) {
    json::array items;
    for (const store::Alert& alert : listed) items.emplace_back(EncodeAlert(alert));
    return json::serialize(items);
  };
  RespondWithKeysetPage(request, alerts.ListAlerts(query), page.limit, encode, path, filters, respond);
}

// Reads the filters event and state (and, for GET /alerts, job_id) into
// `query`, and what the next page's Link keeps of them into `filters`.
core::Result<void> ReadFilters(const QueryParams& params, bool with_job, store::AlertListQuery& query,
                               std::string& filters) {
  if (with_job && params.Get("job_id")) {
    auto id = params.GetInt("job_id", 0, 1, INT64_MAX);
    if (!id) return id.error();
    query.job_id = *id;  // a job of another namespace lists nothing
    filters += "&job_id=" + std::to_string(*id);
  }
  if (const auto event = params.Get("event")) {
    query.event = core::ParseAlertEvent(*event);
    if (!query.event) {
      return core::Error::InvalidArgument("event", "event: must be failed, recovered, late, silent or skipped");
    }
    filters += "&event=" + core::PercentEncode(*event);
  }
  if (const auto state = params.Get("state")) {
    query.state = store::ParseAlertDelivery(*state);
    if (!query.state) return core::Error::InvalidArgument("state", "state: must be pending, sending, sent or failed");
    filters += "&state=" + core::PercentEncode(*state);
  }
  return core::Ok();
}

void ListAlerts(store::AlertStore& alerts, store::JobStore& jobs, const HttpRequest& request,
                const std::optional<core::JobId>& job_id, const Responder& respond) {
  auto params = QueryParams::Parse(request.query);
  if (!params) return respond(ProblemResponse(params.error()));
  auto page = ParsePageRequest(*params);
  if (!page) return respond(ProblemResponse(page.error()));
  store::AlertListQuery query;
  if (!request.caller.all_namespaces) query.job_namespace = request.caller.home_namespace;
  std::string filters;
  if (auto read = ReadFilters(*params, !job_id, query, filters); !read) return respond(ProblemResponse(read.error()));
  std::string path = "/alerts";
  if (job_id) {
    // An unknown job (or one of another namespace) is a 404, not an empty list.
    if (auto job = VisibleJob(jobs, request.caller, *job_id); !job) return respond(ProblemResponse(job.error()));
    query.job_id = *job_id;
    path = "/jobs/" + std::to_string(*job_id) + "/alerts";
  }
  RespondWithAlertPage(alerts, request, query, *page, path, filters.empty() ? "" : filters.substr(1), respond);
}

// The namespace of /namespaces/{namespace}/alerts, if the caller may use it:
// kInvalidArgument for a malformed one, kPermissionDenied for another
// namespace than a read or write key's own.
core::Result<std::string> NamespaceOf(const HttpRequest& request, const PathParams& params) {
  const auto found = params.find("namespace");
  const std::string name = found == params.end() ? std::string() : std::string(found->second);
  if (auto valid = core::ValidateNamespace(name); !valid) return valid.error();
  if (!request.caller.MayAccess(name)) {
    return core::Error::PermissionDenied("API key '" + request.caller.key_name + "' may use only namespace '" +
                                         request.caller.home_namespace + "'");
  }
  return name;
}

HttpResponse RuleResponse(const core::AlertRule& rule) { return JsonResponse(200, codec::EncodeAlertRuleForApi(rule)); }

// Another namespace than a read key's own reads as one without a rule, as
// a job of another namespace reads as none.
void GetDefault(store::AlertStore& alerts, const HttpRequest& request, const PathParams& params,
                const Responder& respond) {
  auto name = NamespaceOf(request, params);
  if (!name && name.error().code != core::ErrorCode::kPermissionDenied) {
    return respond(ProblemResponse(name.error()));
  }
  const std::string shown = name ? *name : params.find("namespace")->second;
  const auto none = core::Error::NotFound("namespace '" + shown + "' has no default alert rule");
  if (!name) return respond(ProblemResponse(none));
  auto rule = alerts.GetNamespaceAlertRule(*name);
  if (!rule) return respond(ProblemResponse(rule.error()));
  if (!*rule) return respond(ProblemResponse(none));
  respond(RuleResponse(**rule));
}

// PUT: the rule whole, REDACTED keeping the stored secrets (as a job's rule).
void PutDefault(store::AlertStore& alerts, const core::Clock& clock, const HttpRequest& request,
                const PathParams& params, const Responder& respond) {
  auto name = NamespaceOf(request, params);
  if (!name) return respond(ProblemResponse(name.error()));
  auto body = DecodeJsonObject(request);
  if (!body) return respond(JsonBodyProblem(body.error()));
  auto rule = codec::DecodeAlertRule(json::serialize(*body));
  if (!rule) return respond(ProblemResponse(rule.error()));
  auto stored = alerts.GetNamespaceAlertRule(*name);
  if (!stored) return respond(ProblemResponse(stored.error()));
  if (auto kept = core::KeepRedactedAlertSecrets(*rule, *stored); !kept) return respond(ProblemResponse(kept.error()));
  auto shown = std::make_shared<core::AlertRule>(*rule);
  alerts.SetNamespaceAlertRule(*name, std::move(rule).value(), clock.Now(),
                               [shown, respond](const core::Result<bool>& set) {
                                 if (!set) return respond(ProblemResponse(set.error()));
                                 respond(RuleResponse(*shown));
                               });
}

void DeleteDefault(store::AlertStore& alerts, const core::Clock& clock, const HttpRequest& request,
                   const PathParams& params, const Responder& respond) {
  auto name = NamespaceOf(request, params);
  if (!name) return respond(ProblemResponse(name.error()));
  alerts.SetNamespaceAlertRule(*name, std::nullopt, clock.Now(), [name = *name, respond](core::Result<bool> had) {
    if (!had) return respond(ProblemResponse(had.error()));
    if (!*had)
      return respond(ProblemResponse(core::Error::NotFound("namespace '" + name + "' has no default alert rule")));
    HttpResponse response;
    response.status = 204;
    respond(std::move(response));
  });
}

}  // namespace

void RegisterAlertHandlers(Router& router, store::AlertStore& alerts, store::JobStore& jobs, const core::Clock& clock) {
  router.Add("GET", "/alerts", [&alerts, &jobs](HttpRequest&& request, const PathParams&, const Responder& respond) {
    ListAlerts(alerts, jobs, request, std::nullopt, respond);
  });
  router.Add("GET", "/jobs/{id}/alerts",
             [&alerts, &jobs](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               auto job_id = PathId(params, "id");
               if (!job_id) return respond(ProblemResponse(job_id.error()));
               ListAlerts(alerts, jobs, request, *job_id, respond);
             });
  router.Add("GET", "/namespaces/{namespace}/alerts",
             [&alerts](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               GetDefault(alerts, request, params, respond);
             });
  router.Add("PUT", "/namespaces/{namespace}/alerts",
             [&alerts, &clock](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               PutDefault(alerts, clock, request, params, respond);
             });
  router.Add("DELETE", "/namespaces/{namespace}/alerts",
             [&alerts, &clock](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               DeleteDefault(alerts, clock, request, params, respond);
             });
}

}  // namespace jobsched::api
