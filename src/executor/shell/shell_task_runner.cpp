#include "executor/shell/shell_task_runner.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "executor/shell/shell_spawn.hpp"
#include "executor/shell/shell_supervisor.hpp"

namespace jobsched::executor::shell {
namespace {

// Why a task will not be started at all, or nullopt when it may be.
std::optional<TaskResult> Refusal(const core::Task& task, const RunContext& context, bool shutting_down) {
  const auto* shell = std::get_if<core::ShellTask>(&task);
  if (shell == nullptr) {
    return TaskResult::Failed("the shell runner cannot run a " + std::string(core::TaskTypeName(task)) + " task");
  }
  if (context.stop.stop_requested() || shutting_down)
    return TaskResult::Cancelled("cancelled before the command started");
  if (shell->command.empty()) return TaskResult::Failed("the task has no command");
  return std::nullopt;
}

// Finds the program and spawns it, filling in `command`. Returns the run's
// failure when the command cannot start, or nullopt once it runs.
std::optional<TaskResult> Launch(const core::ShellTask& shell, const RunContext& context,
                                 const ShellRunnerOptions& options, std::stop_token shutdown, Command& command) {
  const std::string path = PathOf(shell, options.path);
  const std::optional<std::string> program = FindProgram(shell.command.front(), path);
  if (!program) return TaskResult::Failed("command not found: " + shell.command.front() + " (PATH=" + path + ")");
  auto spawned = Spawn(*program, shell, Environment(shell, context, path));
  if (!spawned) return TaskResult::Failed(spawned.error().message);
  command.pid = spawned->pid;
  command.output = std::move(spawned->output);
  command.pidfd = Fd(static_cast<int>(syscall(SYS_pidfd_open, spawned->pid, 0)));
  command.timeout = context.timeout;
  command.deadline = std::chrono::steady_clock::now() + context.timeout;
  command.kill_grace = options.kill_grace;
  command.stop = context.stop;
  command.shutdown = std::move(shutdown);
  return std::nullopt;
}

}  // namespace

ShellTaskRunner::ShellTaskRunner(ShellRunnerOptions options) : options_(std::move(options)) {}

ShellTaskRunner::~ShellTaskRunner() {
  shutdown_.request_stop();
  std::list<Supervisor> all;
  {
    core::MutexLock lock(mutex_);
    // Splicing keeps the elements, which their threads still mark finished.
    all.splice(all.end(), supervisors_);
  }
  for (Supervisor& supervisor : all) supervisor.thread.join();
}

void ShellTaskRunner::ReapFinished() {
  std::list<Supervisor> finished;
  {
    core::MutexLock lock(mutex_);
    for (auto it = supervisors_.begin(); it != supervisors_.end();) {
      const auto next = std::next(it);
      if (it->finished) finished.splice(finished.end(), supervisors_, it);
      it = next;
    }
  }
  for (Supervisor& supervisor : finished) supervisor.thread.join();
}

void ShellTaskRunner::Start(const core::Task& task, const RunContext& context, DoneCallback done) {
  if (std::optional<TaskResult> refusal = Refusal(task, context, shutdown_.stop_requested())) {
    done(std::move(*refusal));
    return;
  }
  std::shared_ptr<Command> command;
  try {
    command = std::make_shared<Command>();
  } catch (const std::bad_alloc&) {
    done(TaskResult::Failed("cannot start the command: out of memory"));
    return;
  }
  command->done = std::move(done);
  try {
    ReapFinished();
    const auto& shell = std::get<core::ShellTask>(task);
    if (std::optional<TaskResult> failure = Launch(shell, context, options_, shutdown_.get_token(), *command)) {
      command->done(std::move(*failure));
      return;
    }
    core::MutexLock lock(mutex_);
    const auto supervisor = supervisors_.emplace(supervisors_.end());
    try {
      supervisor->thread = std::thread([this, supervisor, command] {
        TaskResult result;
        try {
          result = Supervise(*command);
        } catch (const std::exception& error) {
          if (!command->reaped) KillGroupAndReap(*command);
          result = TaskResult::Failed(std::string("unexpected error: ") + error.what());
        }
        command->done(std::move(result));
        core::MutexLock finished_lock(mutex_);
        supervisor->finished = true;
      });
    } catch (...) {
      supervisors_.erase(supervisor);
      throw;
    }
  } catch (const std::exception& error) {
    // Only a command whose thread never started gets here: no one else calls `done`.
    if (command->pid > 0 && !command->reaped) KillGroupAndReap(*command);
    command->done(TaskResult::Failed(std::string("cannot start the command: ") + error.what()));
  }
}

}  // namespace jobsched::executor::shell
