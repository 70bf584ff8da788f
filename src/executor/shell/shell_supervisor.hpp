#pragma once

// Supervising one running shell command: waiting for it while collecting its
// output, stopping its process group at the deadline or when asked, and the
// TaskResult it ends with. Used by ShellTaskRunner, one thread per command.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <stop_token>

#include "executor/shell/shell_spawn.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::shell {

// One running command, as its supervising thread sees it.
struct Command {
  pid_t pid = -1;  // also its process group
  Fd output;
  Fd pidfd;  // readable once the command exits; invalid without kernel support
  bool reaped = false;
  bool lost = false;  // someone else reaped it; never signal its id again
  DoneCallback done;
  std::chrono::milliseconds timeout{0};
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds kill_grace{0};
  std::stop_token stop;      // the run's
  std::stop_token shutdown;  // the runner's
};

// Waits for the command while collecting its output; stops its process
// group (SIGTERM, then SIGKILL after kill_grace) at the deadline or when
// either stop token is requested. Returns once it has been reaped, with
// what is left of its group killed.
TaskResult Supervise(Command& command);

// Kills what is left of the group, then reaps the command. Returns its wait
// status, or nullopt when someone else reaped it.
std::optional<int> KillGroupAndReap(Command& command);

}  // namespace jobsched::executor::shell
