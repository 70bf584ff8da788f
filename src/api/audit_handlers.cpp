#include "api/audit_handlers.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/job_handlers.hpp"
#include "api/json_response.hpp"
#include "api/keyset_page.hpp"
#include "api/pagination.hpp"
#include "api/problem.hpp"
#include "api/query_params.hpp"
#include "core/audit_entry.hpp"
#include "core/text.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

// before/after are JSON the store wrote from the API's own encoders; a row
// that is not (written by hand) shows as null rather than breaking the page.
json::value Embedded(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code error;
  json::value value = json::parse(*text, error);
  return error ? json::value(nullptr) : value;
}

json::object EntryObject(const core::AuditEntry& entry) {
  json::object object;
  object["id"] = entry.id;
  object["at"] = core::FormatRfc3339(entry.at);
  object["actor"] = entry.actor;
  object["actor_key_id"] = entry.actor_key_id ? json::value(*entry.actor_key_id) : json::value(nullptr);
  object["source"] = entry.source;
  object["request_id"] = entry.request_id;
  object["action"] = entry.action;
  object["target_kind"] = entry.target_kind;
  object["target_id"] = entry.target_id;
  object["namespace"] = entry.namespace_name;
  object["before"] = Embedded(entry.before);
  object["after"] = Embedded(entry.after);
  return object;
}

// Reads `query` one entry past the page (the extra one says a next page
// exists) and answers the page, with a Link to `path` keeping `filters`.
void RespondWithPage(store::AuditLog& audit, const HttpRequest& request, store::AuditQuery query,
                     const PageRequest& page, const std::string& path, std::string_view filters,
                     const Responder& respond) {
  query.before_id = page.cursor;
  query.limit = page.limit + 1;
  auto encode = [](const std::vector<core::AuditEntry>& entries) {
    json::array list;
    list.reserve(entries.size());
    for (const core::AuditEntry& entry : entries) list.push_back(EntryObject(entry));
    return json::serialize(list);
  };
  RespondWithKeysetPage(request, audit.ListAudit(query), page.limit, encode, path, filters, respond);
}

void JobHistory(store::JobStore& jobs, store::AuditLog& audit, const HttpRequest& request, const PathParams& params,
                const Responder& respond) {
  auto id = PathId(params, "id");
  if (!id) return respond(ProblemResponse(id.error()));
  auto query_params = QueryParams::Parse(request.query);
  if (!query_params) return respond(ProblemResponse(query_params.error()));
  auto page = ParsePageRequest(*query_params);
  if (!page) return respond(ProblemResponse(page.error()));
  store::AuditQuery query;
  query.target_kind = std::string(core::kAuditJob);
  query.target_id = *id;
  // A job's namespace never changes, so its entries are all of the job's.
  if (!request.caller.all_namespaces) query.job_namespace = request.caller.home_namespace;
  auto job = VisibleJob(jobs, request.caller, *id);
  if (!job && job.error().code != core::ErrorCode::kNotFound) return respond(ProblemResponse(job.error()));
  if (!job) {
    // Missing, or hidden (VisibleJob answers alike). A deleted job's history
    // stays readable by whoever could read the job: its entries carry its
    // namespace, so a hidden job's are filtered out as the job was, and with
    // none left the answer is the 404 of an unknown job.
    store::AuditQuery probe = query;
    probe.limit = 1;
    auto any = audit.ListAudit(probe);
    if (!any) return respond(ProblemResponse(any.error()));
    if (any->empty()) return respond(ProblemResponse(HiddenJobError(*id)));
  }
  RespondWithPage(audit, request, query, *page, "/jobs/" + std::to_string(*id) + "/history", "", respond);
}

// Reads GET /audit's filters into `query`, and `filters` for the next page's Link.
core::Result<void> ReadAuditFilters(const QueryParams& params, store::AuditQuery& query, std::string& filters) {
  for (const std::string_view member : {"action", "actor", "namespace", "target", "since", "until"}) {
    const auto value = params.Get(member);
    if (!value) continue;
    filters += "&" + std::string(member) + "=" + core::PercentEncode(*value);
    if (member == "action") {
      if (!core::IsAuditAction(*value)) {
        return core::Error::InvalidArgument("action",
                                            "action: one of job.created, job.updated, job.paused, "
                                            "job.resumed, job.deleted, job.run_now, job.backfilled, "
                                            "key.created and key.revoked");
      }
      query.action = std::string(*value);
    } else if (member == "actor") {
      query.actor = std::string(*value);
    } else if (member == "namespace") {
      query.job_namespace = std::string(*value);
    } else if (member == "target") {
      auto target = params.GetInt("target", 0, 1, INT64_MAX);
      if (!target) return target.error();
      query.target_kind = std::string(core::kAuditJob);
      query.target_id = *target;
    } else {
      auto time = core::ParseRfc3339(*value, member);
      if (!time) return time.error();
      (member == "since" ? query.since : query.until) = *time;
    }
  }
  return core::CheckAuditRange(query.since, query.until);
}

void ListAudit(store::AuditLog& audit, const HttpRequest& request, const Responder& respond) {
  auto params = QueryParams::Parse(request.query);
  if (!params) return respond(ProblemResponse(params.error()));
  auto page = ParsePageRequest(*params);
  if (!page) return respond(ProblemResponse(page.error()));
  store::AuditQuery query;
  std::string filters;
  if (auto read = ReadAuditFilters(*params, query, filters); !read) return respond(ProblemResponse(read.error()));
  RespondWithPage(audit, request, query, *page, "/audit", filters.empty() ? "" : filters.substr(1), respond);
}

}  // namespace

void RegisterAuditHandlers(Router& router, store::JobStore& jobs, store::AuditLog& audit) {
  router.Add("GET", "/jobs/{id}/history",
             [&jobs, &audit](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               JobHistory(jobs, audit, request, params, respond);
             });
  router.Add("GET", "/audit", [&audit](HttpRequest&& request, const PathParams&, const Responder& respond) {
    ListAudit(audit, request, respond);
  });
}

}  // namespace jobsched::api
