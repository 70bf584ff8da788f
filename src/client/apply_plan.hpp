#pragma once

// What `jobsched apply` would do, and how `apply`/`diff` show it.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace jobsched::client {

struct PlannedChange {
  enum class Kind { kCreate, kUpdate, kDelete, kUnchanged };
  Kind kind = Kind::kUnchanged;
  std::string identity;              // "namespace/name"
  std::string source;                // where a file lists it ("jobs/a.yaml:3"); empty for a prune
  std::int64_t id = 0;               // the job on the service (update, delete, unchanged)
  boost::json::object current;       // update, delete: the job as it is
  boost::json::object preview;       // create, update: the job as it would be (from a dry run)
  std::vector<std::string> changed;  // update: the members that would change, next_run included
  boost::json::object body;          // create: the request; update: the merge patch
  std::string etag;                  // update, delete: the job's ETag when planned, for If-Match
};

// The plan for a person: "+ create", "~ change" (each changed member before
// and after, next_run included), "- delete" lines, then the count of
// unchanged jobs and a summary line. `color`: green, yellow and red signs.
std::string RenderPlan(const std::vector<PlannedChange>& plan, bool color);

// Whether the plan changes anything.
bool PlanChangesSomething(const std::vector<PlannedChange>& plan);

}  // namespace jobsched::client
