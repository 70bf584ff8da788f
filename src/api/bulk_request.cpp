#include "api/bulk_request.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/run_filter.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

std::string_view Key(const json::key_value_pair& member) { return {member.key().data(), member.key().size()}; }

core::Error Invalid(std::string_view field, std::string_view problem) {
  return core::Error::InvalidArgument(std::string(field), std::string(field) + ": " + std::string(problem));
}

core::Error Unknown(std::string_view field, std::string_view known) {
  const std::string name(field.substr(0, 64));
  return core::Error::InvalidArgument(name, "unknown field '" + name + "'; " + std::string(known));
}

// A filter's error, named as the member of "filter" it is about.
core::Error InFilter(core::Error error) {
  const std::string field = error.field;
  if (error.message.rfind(field + ":", 0) == 0) {
    error.message = "filter." + error.message;
  } else {
    error.message = "filter." + field + ": " + error.message;
  }
  error.field = "filter." + field;
  return error;
}

// Positive integers, at least one, at most kMaxBulkTargets, repeats dropped.
core::Result<std::vector<std::int64_t>> ReadIds(const json::value& value) {
  if (!value.is_array()) return Invalid("ids", "must be an array of ids");
  const json::array& array = value.as_array();
  if (array.empty()) return Invalid("ids", "must name at least one id");
  if (array.size() > kMaxBulkTargets) {
    return Invalid("ids", "at most " + std::to_string(kMaxBulkTargets) + " ids per request; send the rest in another");
  }
  std::vector<std::int64_t> ids;
  std::set<std::int64_t> seen;
  for (const json::value& id : array) {
    if (!id.is_int64() || id.as_int64() <= 0) return Invalid("ids", "must hold positive integers only");
    if (seen.insert(id.as_int64()).second) ids.push_back(id.as_int64());
  }
  return ids;
}

core::Result<bool> ReadDryRun(const json::value& value) {
  if (!value.is_bool()) return Invalid("dry_run", "must be true or false");
  return value.as_bool();
}

core::Result<JobFilter> ReadJobFilter(const json::value& value) {
  if (!value.is_object()) return Invalid("filter", "must be an object of GET /jobs' filters");
  JobFilter filter;
  for (const auto& member : value.as_object()) {
    const std::string_view name = Key(member);
    if (name == "is_active") {
      if (!member.value().is_bool()) return Invalid("filter.is_active", "must be true or false");
      filter.is_active = member.value().as_bool();
      continue;
    }
    if (std::find(std::begin(kJobTextFilters), std::end(kJobTextFilters), name) == std::end(kJobTextFilters)) {
      return InFilter(Unknown(name, "a job filter takes name, q, type, is_active, namespace, last_outcome and label"));
    }
    if (!member.value().is_string()) return InFilter(Invalid(name, "must be a string"));
    const json::string& text = member.value().as_string();
    if (auto set = SetJobFilter(filter, name, {text.data(), text.size()}); !set) return InFilter(set.error());
  }
  return filter;
}

core::Result<store::RunListQuery> ReadRunFilter(const json::value& value) {
  if (!value.is_object()) return Invalid("filter", "must be an object of GET /runs' filters");
  store::RunListQuery query;
  for (const auto& member : value.as_object()) {
    const std::string_view name = Key(member);
    if (name == "job_id") {
      if (!member.value().is_int64() || member.value().as_int64() <= 0) {
        return Invalid("filter.job_id", "must be a positive integer");
      }
      query.job_id = member.value().as_int64();
      continue;
    }
    if (std::find(std::begin(kRunTextFilters), std::end(kRunTextFilters), name) == std::end(kRunTextFilters)) {
      return InFilter(Unknown(name, "a run filter takes state, job_id, trigger, scheduled_from and scheduled_until"));
    }
    if (!member.value().is_string()) return InFilter(Invalid(name, "must be a string"));
    const json::string& text = member.value().as_string();
    if (auto set = SetRunFilter(query, name, {text.data(), text.size()}); !set) return InFilter(set.error());
  }
  return query;
}

// What both bodies have: the action's text and the filter, for the caller to
// read as its kind; ids and dry_run read. Fails on an unknown member.
struct Common {
  std::optional<std::string> action;
  const json::value* filter = nullptr;
  std::vector<std::int64_t> ids;
  bool has_ids = false;
  bool dry_run = false;
};

core::Result<Common> ReadCommon(const json::object& body) {
  Common common;
  for (const auto& member : body) {
    const std::string_view name = Key(member);
    if (name == "action") {
      if (!member.value().is_string()) return Invalid("action", "must be a string");
      common.action = std::string(member.value().as_string().data(), member.value().as_string().size());
    } else if (name == "ids") {
      auto ids = ReadIds(member.value());
      if (!ids) return ids.error();
      common.ids = std::move(ids).value();
      common.has_ids = true;
    } else if (name == "filter") {
      common.filter = &member.value();
    } else if (name == "dry_run") {
      auto dry_run = ReadDryRun(member.value());
      if (!dry_run) return dry_run.error();
      common.dry_run = *dry_run;
    } else {
      return Unknown(name, "a bulk change takes action, ids or filter, and dry_run");
    }
  }
  if (common.has_ids == (common.filter != nullptr)) return Invalid("ids", "send exactly one of ids and filter");
  return common;
}

}  // namespace

core::Result<JobBulkRequest> DecodeJobBulk(const json::object& body) {
  auto common = ReadCommon(body);
  if (!common) return common.error();
  JobBulkRequest request;
  const std::optional<std::string>& action = common->action;
  if (!action) return Invalid("action", "required: pause, resume, trigger or delete");
  if (*action == "pause") {
    request.action = store::JobAction::kPause;
  } else if (*action == "resume") {
    request.action = store::JobAction::kResume;
  } else if (*action == "trigger") {
    request.action = store::JobAction::kTrigger;
  } else if (*action == "delete") {
    request.action = store::JobAction::kDelete;
  } else {
    return Invalid("action", "must be pause, resume, trigger or delete");
  }
  if (common->filter != nullptr) {
    auto filter = ReadJobFilter(*common->filter);
    if (!filter) return filter.error();
    request.filter = std::move(filter).value();
  }
  request.ids = std::move(common->ids);
  request.dry_run = common->dry_run;
  return request;
}

core::Result<RunBulkRequest> DecodeRunBulk(const json::object& body) {
  auto common = ReadCommon(body);
  if (!common) return common.error();
  if (!common->action) return Invalid("action", "required: cancel");
  if (*common->action != "cancel") return Invalid("action", "must be cancel");
  RunBulkRequest request;
  if (common->filter != nullptr) {
    auto filter = ReadRunFilter(*common->filter);
    if (!filter) return filter.error();
    request.filter = std::move(filter).value();
  }
  request.ids = std::move(common->ids);
  request.dry_run = common->dry_run;
  return request;
}

std::string EncodeBulkOutcome(const store::BulkOutcome& outcome) {
  json::array failed;
  failed.reserve(outcome.failed.size());
  for (const store::BulkFailure& failure : outcome.failed) {
    failed.push_back(json::object{{"id", failure.id}, {"detail", failure.error.message}});
  }
  const std::size_t matched = outcome.changed.size() + outcome.unchanged.size() + outcome.failed.size();
  json::object body{{"matched", matched},
                    {"changed", outcome.changed.size()},
                    {"unchanged", outcome.unchanged.size()},
                    {"failed", std::move(failed)}};
  return json::serialize(body);
}

}  // namespace jobsched::api
