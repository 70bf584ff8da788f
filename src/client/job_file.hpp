#pragma once

// Job files, for `jobsched apply` and `diff`: YAML (or JSON) listing jobs
// with the members of a create request. A file is one of
//   jobs: [...]            optionally with `namespace:` for its jobs
//   [...]                  a list of jobs
//   {name: ..., ...}       one job
// and may hold several documents (`---`). `${VAR}` in any string is
// replaced from the environment. A job's identity is its namespace (its
// own `namespace:`, else the file's, else the client's) and name
// (docs/decisions/0009-job-identity.md). The members a service writes back
// (id, last_run, next_run, created_at, updated_at, version) are ignored, so
// `jobsched job get -o yaml` output can be applied.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "client/substitution.hpp"

namespace jobsched::client {

// One job a file asks for.
struct DesiredJob {
  std::string file;
  int line = 0;  // where its entry starts
  std::string namespace_name;
  std::string name;
  boost::json::object body;  // the create request: the entry's members, namespace set
  // Where each member was written, by the name the service gives a field in
  // its errors ("task.url", "task.to[1]").
  std::map<std::string, int> lines;

  // "jobs/reports.yaml:12".
  std::string Source() const;
  // The line of `field` (or of its nearest enclosing member), else the
  // entry's.
  int LineOf(std::string_view field) const;
};

// A mistake in a file: where, which job (its name, if known), which member.
struct FileProblem {
  std::string file;
  int line = 0;
  std::string job;
  std::string field;
  std::string message;

  // "jobs/a.yaml:7: job 'report': task.url: must start with http://".
  std::string Text() const;
};

struct JobSet {
  std::vector<DesiredJob> jobs;
  std::vector<FileProblem> problems;
  // The namespaces the set manages: those of its jobs.
  std::vector<std::string> Namespaces() const;
};

// Reads the jobs of one file's text into `set`, recording every problem
// rather than stopping at the first. `file` names it in messages. An empty
// `default_namespace` leaves the namespace of a job that names none to the
// service (`job create -f`; `apply` always passes one).
void ReadJobFile(std::string_view text, const std::string& file, const VariableLookup& lookup,
                 const std::string& default_namespace, JobSet& set);

// Reads every path: a file, "-" (standard input), or a folder (its *.yaml,
// *.yml and *.json files, in name order, and those of its sub-folders).
// Records a problem for a path that cannot be read, and for a job listed
// twice (same namespace and name).
JobSet LoadJobFiles(const std::vector<std::string>& paths, const VariableLookup& lookup,
                    const std::string& default_namespace);

}  // namespace jobsched::client
