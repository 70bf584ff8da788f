#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "api/pagination.hpp"
#include "core/job.hpp"
#include "core/label_selector.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "store/job_snapshot.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// How many recent finished runs `include=recent_runs` shows per job.
inline constexpr std::size_t kRecentRunCount = 20;

// The filters of a job list, shared by GET /jobs (its query string) and
// POST /jobs/bulk (its JSON "filter"), so both accept and refuse alike.
struct JobFilter {
  std::optional<bool> is_active;
  std::optional<std::string> name;    // name prefix
  std::optional<std::string> search;  // q: a substring of the name, any case
  std::optional<std::string> type;
  std::optional<std::string> job_namespace;
  std::optional<std::string> last_outcome;
  // label: a label selector ("team=payments,tier!=batch"), parsed; every
  // requirement must hold. Empty: no selection by label.
  core::LabelSelector labels;

  // Sets them on `query`, and a read or write key's own namespace whatever
  // was asked.
  void ApplyTo(store::JobListQuery& query, const Caller& caller) const;
  // Whether they name a namespace `caller` may not access: then they match
  // nothing, as for a namespace without jobs (never the caller's own).
  bool Foreign(const Caller& caller) const { return job_namespace && !caller.MayAccess(*job_namespace); }
};

// The text filters by their names in GET /jobs and the bulk "filter":
// name, q, type, namespace, last_outcome, label (is_active is a boolean, read by
// each side in its own syntax).
inline constexpr std::string_view kJobTextFilters[] = {"name", "q", "type", "namespace", "last_outcome", "label"};

// Checks `value` of the text filter `member` (one of kJobTextFilters) and
// sets it in `filter`; kInvalidArgument naming `member` for a type,
// namespace or outcome that cannot exist, a q over 200 characters, or a
// malformed label selector (the message quotes the requirement at fault).
core::Result<void> SetJobFilter(JobFilter& filter, std::string_view member, std::string_view value);

// What GET /jobs asks for: the page, the filters (name prefix, substring
// search `q`, task type, active, namespace, last outcome, label selector), the order
// (`sort`: id, name or next_run, with a leading '-' for descending) and
// whether to add each job's recent outcomes. The cursor is opaque: the id of
// the page's last job, and for the other orders its sort key too.
struct JobList {
  PageRequest page;
  JobFilter filter;
  store::JobOrder order = store::JobOrder::kId;
  bool descending = false;
  bool recent_runs = false;
  store::JobListQuery after;  // the cursor's position (after_id, after_name, after_next_run)

  // The store query for `caller`: the filters, one row more than the page
  // (it tells whether a next page exists), and a read or write key's own
  // namespace whatever was asked.
  store::JobListQuery StoreQuery(const Caller& caller) const;
  // The cursor that continues after `last`, the page's last job.
  std::string CursorAfter(const core::Job& last) const;
  // The filters again, for the next page's link, which keeps them:
  // "is_active=true&q=...", or "" without any.
  std::string Filters() const;
};

// Reads the query of GET /jobs. Fails naming the parameter that is malformed,
// or the type, namespace, outcome or order that cannot exist.
core::Result<JobList> ParseJobList(std::string_view query);

// A page of jobs as GET /jobs answers it.
struct EncodedJobList {
  std::string body;
  std::string etag;
};

// The page as JSON; with `recent`, each job also carries "recent_runs" (its
// newest finished runs' states, newest first) and "last_outcome" (the first
// of them, or null). Each job's part is its snapshot's encoded form
// (EncodedFormOf), copied, not encoded again. The ETag hashes each job's own
// ETag (itself a hash of that part) and what the page adds to the part,
// instead of the whole body: the same change detection over a thirtieth of
// the bytes.
EncodedJobList EncodeJobList(const std::vector<std::shared_ptr<const store::JobSnapshot>>& jobs,
                             const std::map<core::JobId, std::vector<core::RunState>>* recent);

}  // namespace jobsched::api
