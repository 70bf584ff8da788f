#pragma once

// The bodies of POST /jobs/bulk and POST /runs/bulk (decision 0008),
// decoded and checked before anything is read or written.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "api/job_list.hpp"
#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// At most this many ids in one request, and at most this many jobs (runs) a
// filter may match: a request past it is refused whole (400), so nothing is
// half done; the client narrows the filter or sends ids in several requests.
inline constexpr std::size_t kMaxBulkTargets = 10'000;
// Jobs (runs) per store transaction, and per page of a filter's walk.
inline constexpr std::size_t kBulkBatchSize = 500;

// {"action": "pause"|"resume"|"trigger"|"delete", "ids": [...] | "filter": {...}, "dry_run": bool}
struct JobBulkRequest {
  store::JobAction action = store::JobAction::kPause;
  std::vector<core::JobId> ids;     // distinct, in the order given; empty with a filter
  std::optional<JobFilter> filter;  // GET /jobs' filters: name, q, type, is_active, namespace, last_outcome
  bool dry_run = false;
};

// {"action": "cancel", "ids": [...] | "filter": {...}, "dry_run": bool}
struct RunBulkRequest {
  std::vector<core::RunId> ids;               // distinct, in the order given; empty with a filter
  std::optional<store::RunListQuery> filter;  // GET /runs' filters: state, job_id, trigger, scheduled_from/until
  bool dry_run = false;
};

// Fail with kInvalidArgument naming the member: an unknown one (a filter's
// as "filter.<name>"), an unknown action, both or neither of ids and filter,
// ids empty, over kMaxBulkTargets or not positive integers, a filter value
// GET /jobs (GET /runs) would refuse.
core::Result<JobBulkRequest> DecodeJobBulk(const boost::json::object& body);
core::Result<RunBulkRequest> DecodeRunBulk(const boost::json::object& body);

// The answer of both: {"matched", "changed", "unchanged", "failed": [{"id", "detail"}]}.
std::string EncodeBulkOutcome(const store::BulkOutcome& outcome);

}  // namespace jobsched::api
