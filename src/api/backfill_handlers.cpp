#include "api/backfill_handlers.hpp"

#include <set>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/dry_run.hpp"
#include "api/job_handlers.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/request_audit.hpp"
#include "core/backfill.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

struct BackfillRange {
  core::TimePoint from;
  core::TimePoint to;
};

core::Result<core::TimePoint> ReadInstant(const json::value& value, std::string_view field) {
  if (!value.is_string()) {
    return core::Error::InvalidArgument(
        std::string(field), std::string(field) + ": must be an RFC 3339 instant such as 2026-03-29T00:00:00Z");
  }
  return core::ParseRfc3339(std::string_view(value.as_string().data(), value.as_string().size()), field);
}

core::Result<BackfillRange> DecodeRange(const json::object& body) {
  std::optional<core::TimePoint> from, to;
  for (const auto& member : body) {
    const std::string_view field(member.key().data(), member.key().size());
    if (field != "from" && field != "to") {
      const std::string unknown(field.substr(0, 64));
      return core::Error::InvalidArgument(unknown, "unknown field '" + unknown + "'; a backfill takes from and to");
    }
    auto instant = ReadInstant(member.value(), field);
    if (!instant) return instant.error();
    (field == "from" ? from : to) = *instant;
  }
  if (!from) return core::Error::InvalidArgument("from", "from: required, the start of the range (included)");
  if (!to)
    return core::Error::InvalidArgument("to", "to: required, the end of the range (excluded), not in the future");
  return BackfillRange{*from, *to};
}

std::string Answer(core::JobId id, const BackfillRange& range, std::size_t created, std::size_t existing,
                   bool dry_run) {
  json::object body;
  body["job_id"] = id;
  body["from"] = core::FormatRfc3339(range.from);
  body["to"] = core::FormatRfc3339(range.to);
  body["occurrences"] = created + existing;
  body["created"] = created;
  body["existing"] = existing;
  if (dry_run) body["dry_run"] = true;
  return json::serialize(body);
}

// How many of `occurrences` already have a run of the schedule or of a
// backfill: what a backfill would count as existing. Each trigger has at most
// one run per occurrence, so a page as long as the list holds them all.
core::Result<std::size_t> CountExisting(store::JobStore& store, core::JobId id, const BackfillRange& range,
                                        const std::vector<core::TimePoint>& occurrences) {
  const std::set<core::TimePoint> wanted(occurrences.begin(), occurrences.end());
  std::size_t existing = 0;
  for (const core::RunTrigger trigger : {core::RunTrigger::kSchedule, core::RunTrigger::kBackfill}) {
    store::RunListQuery query;
    query.job_id = id;
    query.trigger = trigger;
    query.scheduled_from = range.from;
    query.scheduled_until = range.to;
    query.limit = occurrences.size() + 1;
    auto runs = store.ListRuns(query);
    if (!runs) return runs.error();
    for (const core::Run& run : *runs) existing += wanted.count(run.scheduled_for);
  }
  return existing;
}

HttpResponse DryRun(store::JobStore& store, const core::Job& job, const BackfillRange& range, core::TimePoint now) {
  auto occurrences = core::BackfillOccurrences(job, range.from, range.to, now);
  if (!occurrences) return ProblemResponse(occurrences.error());
  auto existing =
      occurrences->empty() ? core::Result<std::size_t>(0) : CountExisting(store, job.id, range, *occurrences);
  if (!existing) return ProblemResponse(existing.error());
  return JsonResponse(200, Answer(job.id, range, occurrences->size() - *existing, *existing, true));
}

void Backfill(store::JobStore& store, const HttpRequest& request, const PathParams& params, core::TimePoint now,
              Responder respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  auto body = DecodeJsonObject(request);
  if (!body) return respond(JsonBodyProblem(body.error()));
  auto range = DecodeRange(*body);
  if (!range) return respond(ProblemResponse(range.error()));
  // A job never changes namespace, so checking before the write holds for it.
  if (*dry_run || !request.caller.all_namespaces) {
    auto job = VisibleJob(store, request.caller, *id);
    if (!job) return respond(ProblemResponse(job.error()));
    if (*dry_run) return respond(DryRun(store, *job, *range, now));
  }
  store::AuditContext audit = RequestAudit(request, now, core::audit_action::kJobBackfilled);
  audit.detail =
      "\"from\":\"" + core::FormatRfc3339(range->from) + "\",\"to\":\"" + core::FormatRfc3339(range->to) + "\"";
  store.BackfillJob(
      *id, now,
      [range = *range, now](const core::Job& job) { return core::BackfillOccurrences(job, range.from, range.to, now); },
      [id = *id, range = *range, respond = std::move(respond)](core::Result<store::BackfillResult> backfilled) {
        if (!backfilled) return respond(ProblemResponse(backfilled.error()));
        respond(JsonResponse(202, Answer(id, range, backfilled->created, backfilled->existing, false)));
      },
      std::move(audit));
}

}  // namespace

void RegisterBackfillHandler(Router& router, store::JobStore& store, const core::Clock& clock) {
  router.Add("POST", "/jobs/{id}/backfill",
             [&store, &clock](HttpRequest&& request, const PathParams& params, Responder respond) {
               Backfill(store, request, params, clock.Now(), std::move(respond));
             });
}

}  // namespace jobsched::api
