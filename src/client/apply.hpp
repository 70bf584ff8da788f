#pragma once

// `jobsched apply -f FILE|DIR` and `jobsched diff -f FILE|DIR`: jobs kept as
// code. Every file is read and every change checked by the service (dry
// runs) before anything is written, so a file set with a mistake anywhere
// applies nothing. A job equal to its file's entry (as the service
// normalises both) gets no request at all, so its version stays.

#include <string>
#include <vector>

#include "client/client_context.hpp"

namespace jobsched::client {

struct ApplyOptions {
  std::vector<std::string> files;  // files and folders, "-" for standard input
  // Delete the jobs of the namespaces the files manage (those of their
  // jobs) that the files do not list; never a job of another namespace.
  bool prune = false;
  bool diff_only = false;  // `diff`: print the plan, exit 0 (no change) or 1
};

// Answers the exit status: `apply` 0 when done (or planned, with
// --dry-run); `diff` 0 or kExitDiffChanges, kExitDiffUsage for a file error.
int RunApply(const ClientContext& context, const ApplyOptions& options);

}  // namespace jobsched::client
