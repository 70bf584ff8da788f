#pragma once

// `jobsched job list|get|create|delete|pause|resume|trigger|next`. Each
// answers the exit status (exit_code.hpp); results go to standard output in
// the chosen format, what was done and errors to standard error.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "client/client_context.hpp"
#include "client/job_flags.hpp"

namespace jobsched::client {

struct JobListOptions {
  std::optional<std::string> name;  // jobs whose name starts with this
  std::optional<std::string> type;  // task type
  std::optional<bool> active;
  std::optional<std::string> label;  // a label selector, as GET /jobs' label
  bool all = false;                  // every page, not only the first
  std::int64_t limit = 100;
};

int ListJobs(const ClientContext& context, const JobListOptions& options);
int GetJob(const ClientContext& context, const std::string& ref);
// From flags, or from `file` (YAML or JSON, "-" for standard input; `${VAR}`
// replaced), flags winning over the file's members.
int CreateJob(const ClientContext& context, const JobFlags& flags, const std::string& file);
int DeleteJob(const ClientContext& context, const std::string& ref);
int SetJobActive(const ClientContext& context, const std::string& ref, bool active);
// job pause [--reason TEXT] [--until WHEN]: WHEN an RFC 3339 instant or a
// duration from now ("2h"); the service resumes the job then by itself.
int PauseJob(const ClientContext& context, const std::string& ref, const std::optional<std::string>& reason,
             const std::optional<std::string>& until);
// The next `count` occurrences, in the job's zone and UTC, and in `tz`.
// `jobsched job history JOB`: what was changed on the job, by whom, from
// where, newest first (GET /jobs/{id}/history): `limit` entries, or every
// page with `all`. A deleted job's history is found by its id.
int JobHistory(const ClientContext& context, const std::string& ref, std::int64_t limit, bool all);

int ListNextRuns(const ClientContext& context, const std::string& ref, std::int64_t count,
                 const std::optional<std::string>& tz);
// Queues a run now; with `wait`, follows it and answers 0 only if it
// succeeded (kExitRunFailed otherwise, kExitWaitTimedOut after `timeout`).
int TriggerJob(const ClientContext& context, const std::string& ref, bool wait, std::chrono::milliseconds timeout);
// `job backfill REF --from T --to T`: POST /jobs/{id}/backfill; says how many
// runs were created and how many occurrences already had one (with
// --dry-run, would be).
int BackfillJob(const ClientContext& context, const std::string& ref, const std::string& from, const std::string& to);

// What a change command prints: nothing after --print-curl; a DryRun as a
// dry run; in a table `summary` (a sentence); otherwise the answer's body.
int ReportChange(const ClientContext& context, const ApiAnswer& answer, Resource resource, const std::string& summary);

// The namespace the client works in (--namespace, JOBSCHED_NAMESPACE, the
// profile's), or "" for none given.
const std::string& ClientNamespace(const ClientContext& context);

}  // namespace jobsched::client
