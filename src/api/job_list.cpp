#include "api/job_list.hpp"

#include <charconv>

#include "api/job_encoding.hpp"
#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/query_params.hpp"
#include "core/job_namespace.hpp"
#include "core/task_kind.hpp"
#include "core/text.hpp"

namespace jobsched::api {
namespace {

constexpr std::string_view kOutcomes[] = {"succeeded", "failed", "timed_out", "cancelled", "skipped", "none"};

core::Error BadCursor() { return core::Error::InvalidArgument("cursor", "cursor: not a cursor this service issued"); }

std::optional<std::int64_t> Number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string Hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : text) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (error != std::errc() || end != text.data() + i + 2) return std::nullopt;
    out += static_cast<char>(value);
  }
  return out;
}

// "id", "-name", "next_run", ...: the order and its direction.
core::Result<void> ParseSort(std::string_view sort, JobList& list) {
  list.descending = !sort.empty() && sort.front() == '-';
  if (list.descending) sort.remove_prefix(1);
  if (sort == "id") {
    list.order = store::JobOrder::kId;
  } else if (sort == "name") {
    list.order = store::JobOrder::kName;
  } else if (sort == "next_run") {
    list.order = store::JobOrder::kNextRun;
  } else {
    return core::Error::InvalidArgument("sort",
                                        "sort: must be id, name or next_run, each with a leading - for "
                                        "descending");
  }
  return core::Ok();
}

// The cursor of an id order is the last id (as before there were orders);
// of the others, "n.<id>.<name in hex>" or "r.<id>.<next_run ms or x>".
core::Result<void> ParseCursor(std::string_view cursor, JobList& list) {
  if (list.order == store::JobOrder::kId) {
    const auto id = Number(cursor);
    if (!id || *id < 0) return BadCursor();
    list.after.after_id = *id;
    return core::Ok();
  }
  const char tag = list.order == store::JobOrder::kName ? 'n' : 'r';
  if (cursor.size() < 4 || cursor[0] != tag || cursor[1] != '.') return BadCursor();
  cursor.remove_prefix(2);
  const std::size_t dot = cursor.find('.');
  if (dot == std::string_view::npos) return BadCursor();
  const auto id = Number(cursor.substr(0, dot));
  const std::string_view key = cursor.substr(dot + 1);
  if (!id) return BadCursor();
  list.after.after_id = *id;
  if (tag == 'n') {
    auto name = Unhex(key);
    if (!name) return BadCursor();
    list.after.after_name = std::move(name);
    return core::Ok();
  }
  if (key == "x") {
    list.after.after_next_run = std::optional<core::TimePoint>{};
    return core::Ok();
  }
  const auto next_run = Number(key);
  if (!next_run) return BadCursor();
  list.after.after_next_run = core::FromUnixMs(*next_run);
  return core::Ok();
}

core::Result<void> ParseFilters(const QueryParams& params, JobList& list) {
  for (const std::string_view member : kJobTextFilters) {
    const auto value = params.Get(member);
    if (!value) continue;
    if (auto set = SetJobFilter(list.filter, member, *value); !set) return set.error();
  }
  if (const auto include = params.Get("include")) {
    if (*include != "recent_runs") return core::Error::InvalidArgument("include", "include: may only be recent_runs");
    list.recent_runs = true;
  }
  return core::Ok();
}

}  // namespace

core::Result<void> SetJobFilter(JobFilter& filter, std::string_view member, std::string_view value) {
  if (member == "name") {
    filter.name = std::string(value);
  } else if (member == "q") {
    if (value.size() > 200) return core::Error::InvalidArgument("q", "q: at most 200 characters");
    // An empty search matches every job, as if there were none.
    if (!value.empty()) filter.search = std::string(value);
  } else if (member == "type") {
    if (!core::FindTaskKind(value))
      return core::Error::InvalidArgument("type", "type: must be " + core::TaskKindNames());
    filter.type = std::string(value);
  } else if (member == "namespace") {
    if (auto valid = core::ValidateNamespace(value); !valid) return valid.error();
    filter.job_namespace = std::string(value);
  } else if (member == "last_outcome") {
    if (std::find(std::begin(kOutcomes), std::end(kOutcomes), value) == std::end(kOutcomes)) {
      return core::Error::InvalidArgument(
          "last_outcome", "last_outcome: must be succeeded, failed, timed_out, cancelled, skipped or none");
    }
    filter.last_outcome = std::string(value);
  } else if (member == "label") {
    // An empty selector selects every job, as an empty search does (a
    // cleared filter field sends one).
    if (value.empty()) return core::Ok();
    auto selector = core::ParseLabelSelector(value, "label");
    if (!selector) return selector.error();
    filter.labels = std::move(selector).value();
  } else {
    return core::Error::InvalidArgument(std::string(member.substr(0, 64)),
                                        "unknown filter '" + std::string(member.substr(0, 64)) + "'");
  }
  return core::Ok();
}

void JobFilter::ApplyTo(store::JobListQuery& query, const Caller& caller) const {
  query.is_active = is_active;
  query.name_prefix = name;
  query.name_contains = search;
  query.task_type = type;
  query.job_namespace = job_namespace;
  query.last_outcome = last_outcome;
  query.labels = labels;
  if (!caller.all_namespaces) query.job_namespace = caller.home_namespace;
}

core::Result<JobList> ParseJobList(std::string_view query) {
  auto params = QueryParams::Parse(query);
  if (!params) return params.error();
  auto limit = params->GetInt("limit", 100, 1, 1000);
  if (!limit) return limit.error();
  auto is_active = params->GetBool("is_active");
  if (!is_active) return is_active.error();
  JobList list;
  list.page.limit = static_cast<std::size_t>(*limit);
  list.filter.is_active = *is_active;
  if (auto filtered = ParseFilters(*params, list); !filtered) return filtered.error();
  if (const auto sort = params->Get("sort")) {
    if (auto sorted = ParseSort(*sort, list); !sorted) return sorted.error();
  }
  if (const auto cursor = params->Get("cursor")) {
    if (auto parsed = ParseCursor(*cursor, list); !parsed) return parsed.error();
  }
  return list;
}

store::JobListQuery JobList::StoreQuery(const Caller& caller) const {
  store::JobListQuery query = after;
  query.limit = page.limit + 1;
  filter.ApplyTo(query, caller);
  query.order = order;
  query.descending = descending;
  return query;
}

std::string JobList::CursorAfter(const core::Job& last) const {
  switch (order) {
    case store::JobOrder::kId: return std::to_string(last.id);
    case store::JobOrder::kName: return "n." + std::to_string(last.id) + "." + Hex(last.name);
    case store::JobOrder::kNextRun:
      return "r." + std::to_string(last.id) + "." +
             (last.next_run ? std::to_string(core::ToUnixMs(*last.next_run)) : std::string("x"));
  }
  return std::to_string(last.id);
}

std::string JobList::Filters() const {
  std::string filters;
  if (filter.is_active) filters += *filter.is_active ? "&is_active=true" : "&is_active=false";
  if (filter.name) filters += "&name=" + core::PercentEncode(*filter.name);
  if (filter.search) filters += "&q=" + core::PercentEncode(*filter.search);
  if (filter.type) filters += "&type=" + *filter.type;
  if (filter.job_namespace) filters += "&namespace=" + core::PercentEncode(*filter.job_namespace);
  if (filter.last_outcome) filters += "&last_outcome=" + *filter.last_outcome;
  if (!filter.labels.empty()) filters += "&label=" + core::PercentEncode(core::FormatLabelSelector(filter.labels));
  if (order != store::JobOrder::kId || descending) {
    filters += std::string("&sort=") + (descending ? "-" : "") +
               (order == store::JobOrder::kName      ? "name"
                : order == store::JobOrder::kNextRun ? "next_run"
                                                     : "id");
  }
  if (recent_runs) filters += "&include=recent_runs";
  return filters.empty() ? "" : filters.substr(1);
}

namespace {

// What `recent` adds to a job's part of the page, after its closing brace is taken off.
std::string RecentRunMembers(const std::vector<core::RunState>& states) {
  std::string members = ",\"last_outcome\":";
  members += states.empty() ? "null" : "\"" + std::string(core::ToString(states.front())) + "\"";
  members += ",\"recent_runs\":[";
  for (std::size_t k = 0; k < states.size(); ++k) {
    if (k > 0) members += ',';
    members += "\"" + std::string(core::ToString(states[k])) + "\"";
  }
  return members + "]}";
}

}  // namespace

EncodedJobList EncodeJobList(const std::vector<std::shared_ptr<const store::JobSnapshot>>& jobs,
                             const std::map<core::JobId, std::vector<core::RunState>>* recent) {
  std::size_t size = 2;
  for (const auto& job : jobs) size += EncodedFormOf(*job).body.size() + (recent == nullptr ? 1 : 160);
  EncodedJobList page;
  page.body.reserve(size);
  page.body += '[';
  std::string fingerprint;  // what the ETag hashes
  fingerprint.reserve(jobs.size() * 24 + 1);
  fingerprint += recent == nullptr ? 'p' : 'r';
  const std::vector<core::RunState> none;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (i > 0) page.body += ',';
    const store::EncodedJob& job = EncodedFormOf(*jobs[i]);
    fingerprint += job.etag;
    if (recent == nullptr) {
      page.body += job.body;
      continue;
    }
    const auto found = recent->find(jobs[i]->job().id);
    const std::string members = RecentRunMembers(found == recent->end() ? none : found->second);
    page.body.append(job.body, 0, job.body.size() - 1);
    page.body += members;
    fingerprint += members;
  }
  page.body += ']';
  page.etag = ContentETag(fingerprint);
  return page;
}

}  // namespace jobsched::api
