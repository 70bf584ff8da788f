#pragma once

#include "core/error.hpp"

namespace jobsched::client {

// The exit statuses of the client commands (`jobsched job|run|apply|diff`),
// documented in docs/cli.md so scripts can tell failures apart.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,        // a bad flag or argument, or input the service refused as invalid
  kExitNotFound = 2,     // no such job or run
  kExitConflict = 3,     // the name is taken, a run is in the way, or the job changed meanwhile (412)
  kExitAuth = 4,         // no token, a bad token, or a role too low (401, 403)
  kExitUnavailable = 5,  // the service cannot be reached, or failed (5xx, network, TLS)
  kExitRunFailed = 6,    // `trigger --wait`, `run logs -f`: the run ended other than succeeded
  kExitWaitTimedOut = 7  // `--wait`: gave up waiting (--timeout) before the run ended
};

// `jobsched diff` answers a question, like diff(1): 0 nothing would change,
// 1 something would. A usage or validation error, 1 elsewhere, is 64
// (EX_USAGE) there; the other errors keep their codes.
constexpr int kExitDiffChanges = 1;
constexpr int kExitDiffUsage = 64;

// The exit status for a command that failed with `error`.
int ExitCodeFor(const core::Error& error);

}  // namespace jobsched::client
