#pragma once

#include <string>
#include <string_view>

#include "client/api_client.hpp"
#include "core/result.hpp"

namespace jobsched::client {

// A job as a command line names it.
struct JobRef {
  std::int64_t id = 0;         // set for "42"
  std::string namespace_name;  // set for "team-a/report"
  std::string name;            // set for "report" and "team-a/report"
};

// "42" (an id), "team-a/report" (a namespace and a name, as `-o name`
// prints it) or "report" (a name). A name containing '/' whose first part
// is no valid namespace is a plain name.
JobRef ParseJobRef(std::string_view text);

// The id of the job `text` names: an id as it is; a name looked up
// (GET /jobs?name=...) in its namespace, else in `default_namespace` when
// set, else in every namespace the caller sees. kNotFound when no job has
// that name; kInvalidArgument when several do (naming them).
core::Result<std::int64_t> ResolveJob(const ApiClient& api, std::string_view text,
                                      const std::string& default_namespace);

}  // namespace jobsched::client
