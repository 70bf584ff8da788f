#pragma once

#include <chrono>
#include <list>
#include <stop_token>
#include <string>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::shell {

struct ShellRunnerOptions {
  // After SIGTERM to a command's process group (timeout, cancel, shutdown),
  // how long it has to exit before SIGKILL. Keep it under the worker pool's
  // watchdog slack (2 s) and cancel wait (1 s), so the runner reports first.
  std::chrono::milliseconds kill_grace{500};
  // PATH of commands whose task sets none; a command name without a slash is
  // looked up in the command's PATH.
  std::string path = "/usr/local/bin:/usr/bin:/bin";
};

// Runs core::ShellTask: posix_spawn of the argument vector, no shell, in a
// process group of its own, stdin from /dev/null, stdout and stderr together
// into one pipe (in the order written; the first kMaxOutputBytes are kept,
// the rest is read and dropped). The environment holds PATH, the task's
// variables and JOBSCHED_RUN_ID, JOBSCHED_JOB_ID, JOBSCHED_ATTEMPT; nothing of
// the service's own (it may hold credentials). No file descriptor of the
// service is inherited, and signal mask and dispositions are reset.
//
// Exit code 0 succeeds; another fails with "exited with code N", a signal
// with "killed by signal N (SIGX)", the output kept either way. At the
// timeout (RunContext::timeout, counted from Start) or when stop is
// requested, the process group gets SIGTERM, then SIGKILL after kill_grace:
// kTimedOut or kCancelled. When the command exits, what is left of its
// process group (background children) is killed, so nothing outlives its run.
//
// One thread per running command waits for it.
class ShellTaskRunner final : public TaskRunner {
 public:
  explicit ShellTaskRunner(ShellRunnerOptions options = {});
  ShellTaskRunner(const ShellTaskRunner&) = delete;
  ShellTaskRunner& operator=(const ShellTaskRunner&) = delete;
  // Stops every command still running (SIGTERM, then SIGKILL after the
  // grace); their `done` runs with kCancelled before this returns.
  ~ShellTaskRunner() override;

  void Start(const core::Task& task, const RunContext& context, DoneCallback done) override EXCLUDES(mutex_);

 private:
  struct Supervisor {
    std::thread thread;
    // Guarded by the runner's mutex_ (which clang's analysis cannot name
    // from a nested struct); the thread may be joined.
    bool finished = false;
  };

  // Joins the threads of commands that have ended.
  void ReapFinished() EXCLUDES(mutex_);

  const ShellRunnerOptions options_;
  std::stop_source shutdown_;  // requested by the destructor
  core::Mutex mutex_;
  std::list<Supervisor> supervisors_ GUARDED_BY(mutex_);
};

}  // namespace jobsched::executor::shell
