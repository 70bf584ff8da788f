#include "executor/shell/shell_task_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace jobsched::executor::shell {
namespace {

using Clock = std::chrono::steady_clock;

// After the command exits, how long output of processes that left its
// process group (and so survived the kill) may keep the pipe open.
constexpr std::chrono::milliseconds kDrainAfterExit{1'000};
// How often to look for the exit when the kernel gives no pidfd (Linux < 5.3).
constexpr std::chrono::milliseconds kExitPollTick{20};

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

std::string ErrnoText(int error) { return std::strerror(error); }

std::string SignalName(int signal_number) {
  const char* abbreviation = sigabbrev_np(signal_number);
  return abbreviation != nullptr ? "SIG" + std::string(abbreviation) : "unknown";
}

// The command's PATH: the task's, or the runner's default.
std::string PathOf(const core::ShellTask& task, const std::string& default_path) {
  for (const auto& [name, value] : task.env) {
    if (name == "PATH") return value;
  }
  return default_path;
}

// `name` itself when it has a slash (relative ones are relative to the
// working directory); otherwise the first executable regular file of that
// name in the entries of `path`, as execvp would find it.
std::optional<std::string> FindProgram(const std::string& name, std::string_view path) {
  if (name.find('/') != std::string::npos) return name;
  while (!path.empty()) {
    const std::size_t colon = path.find(':');
    const std::string_view entry = path.substr(0, colon);
    path = colon == std::string_view::npos ? std::string_view() : path.substr(colon + 1);
    if (entry.empty()) continue;
    std::string candidate = std::string(entry) + "/" + name;
    struct stat info {};
    if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

// "NAME=value" for each variable: PATH, the task's, then the run's, which
// the task cannot override (the command may rely on them, like a webhook
// receiver on Idempotency-Key).
std::vector<std::string> Environment(const core::ShellTask& task, const RunContext& context, const std::string& path) {
  std::map<std::string, std::string> variables{{"PATH", path}};
  for (const auto& [name, value] : task.env) variables[name] = value;
  variables["JOBSCHED_RUN_ID"] = std::to_string(context.run_id);
  variables["JOBSCHED_JOB_ID"] = std::to_string(context.job_id);
  variables["JOBSCHED_ATTEMPT"] = std::to_string(context.attempt);
  std::vector<std::string> out;
  out.reserve(variables.size());
  for (const auto& [name, value] : variables) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& texts) {
  std::vector<char*> pointers;
  pointers.reserve(texts.size() + 1);
  for (std::string& text : texts) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct Spawned {
  pid_t pid = -1;
  Fd output;  // read end of the command's stdout and stderr, non-blocking
};

// The posix_spawn attributes and file actions, destroyed with this.
struct SpawnSetup {
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
};

core::Result<Spawned> Spawn(const std::string& program, const core::ShellTask& task,
                            std::vector<std::string> environment) {
  if (task.working_dir) {
    struct stat info {};
    if (stat(task.working_dir->c_str(), &info) != 0) {
      return core::Error::InvalidArgument("task.working_dir",
                                          "working_dir " + *task.working_dir + ": " + ErrnoText(errno));
    }
    if (!S_ISDIR(info.st_mode)) {
      return core::Error::InvalidArgument("task.working_dir", "working_dir " + *task.working_dir + ": not a directory");
    }
  }
  int pipe_ends[2];
  if (pipe2(pipe_ends, O_CLOEXEC) != 0) return core::Error::Internal("cannot create a pipe: " + ErrnoText(errno));
  Fd read_end(pipe_ends[0]);
  Fd write_end(pipe_ends[1]);
  fcntl(read_end.get(), F_SETFL, fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, write_end.get(), STDERR_FILENO);
  // Nothing of the service leaks into the command: listening sockets, the
  // database, other runs' pipes and connections.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  if (task.working_dir) posix_spawn_file_actions_addchdir_np(&setup.actions, task.working_dir->c_str());
  // The service blocks SIGTERM and SIGINT in every thread (it waits for them
  // with sigwait) and ignores SIGPIPE: a command would inherit both, and
  // then SIGTERM could not stop it.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  posix_spawnattr_setsigmask(&setup.attributes, &no_signals);
  posix_spawnattr_setsigdefault(&setup.attributes, &all_signals);
  // A process group of its own, so that a timeout stops what it started too.
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setflags(&setup.attributes,
                           static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));

  std::vector<std::string> arguments = task.command;
  std::vector<char*> argv = Pointers(arguments);
  std::vector<char*> envp = Pointers(environment);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes, argv.data(), envp.data());
  if (error != 0)
    return core::Error::InvalidArgument("task.command", "cannot start " + program + ": " + ErrnoText(error));
  return Spawned{pid, std::move(read_end)};
}

// One running command, as its supervising thread sees it.
struct Command {
  pid_t pid = -1;  // also its process group
  Fd output;
  Fd pidfd;  // readable once the command exits; invalid without kernel support
  bool reaped = false;
  bool lost = false;  // someone else reaped it; never signal its id again
  DoneCallback done;
  std::chrono::milliseconds timeout{0};
  Clock::time_point deadline;
  std::chrono::milliseconds kill_grace{0};
  std::stop_token stop;      // the run's
  std::stop_token shutdown;  // the runner's
};

// Whether the command has exited, without reaping it: while it is a zombie
// its pid, and so its process group id, cannot be reused, which keeps
// kill(-pid) aimed at its group.
bool HasExited(Command& command) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(command.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    command.lost = true;  // reaped by someone else (SIGCHLD ignored?): its id may be anyone's now
    return true;
  }
  return info.si_pid == command.pid;
}

// Kills what is left of the group, then reaps the command. Returns its wait
// status, or nullopt when someone else reaped it.
std::optional<int> KillGroupAndReap(Command& command) {
  command.reaped = true;
  if (command.lost) return std::nullopt;
  kill(-command.pid, SIGKILL);
  int status = 0;
  pid_t reaped = 0;
  do {
    reaped = waitpid(command.pid, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped != command.pid) return std::nullopt;
  return status;
}

// Appends what the pipe holds to `output` (up to its cap, dropping the
// rest). Returns false at end of file or on an error.
bool ReadOutput(int fd, std::string& output) {
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got > 0) {
      const std::size_t room = kMaxOutputBytes - std::min(output.size(), kMaxOutputBytes);
      output.append(buffer, std::min(room, static_cast<std::size_t>(got)));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

enum class Ending { kExited, kTimedOut, kCancelled };

TaskResult ResultOf(const Command& command, Ending ending, std::optional<int> status, std::string output) {
  switch (ending) {
    case Ending::kCancelled: return TaskResult::Cancelled("cancelled: the command's process group was stopped");
    case Ending::kTimedOut:
      return TaskResult::TimedOut(
          "timed out after " + std::to_string(command.timeout.count()) + " ms; the command's process group was stopped",
          std::move(output));
    case Ending::kExited: break;
  }
  if (!status) return TaskResult::Failed("the command ended, but its exit status is unknown", std::move(output));
  if (WIFEXITED(*status)) {
    const int code = WEXITSTATUS(*status);
    if (code == 0) return TaskResult::Succeeded(std::move(output));
    return TaskResult::Failed("exited with code " + std::to_string(code), std::move(output));
  }
  const int signal_number = WIFSIGNALED(*status) ? WTERMSIG(*status) : 0;
  return TaskResult::Failed(
      "killed by signal " + std::to_string(signal_number) + " (" + SignalName(signal_number) + ")", std::move(output));
}

int MillisecondsUntil(Clock::time_point when, Clock::time_point now) {
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(when - now).count();
  return static_cast<int>(std::clamp<std::int64_t>(wait, 0, INT_MAX));
}

// Waits for the command while collecting its output; stops its process
// group at the deadline or when asked. Returns once it has been reaped.
TaskResult Supervise(Command& command) {
  Fd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  const auto poke = [fd = wake.get()] {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(fd, &one, sizeof one);
  };
  std::stop_callback on_stop(command.stop, poke);
  std::stop_callback on_shutdown(command.shutdown, poke);

  std::string output;
  Ending ending = Ending::kExited;
  bool stopping = false;
  bool sigkill_due = false;  // SIGTERM was sent; SIGKILL follows at kill_at
  Clock::time_point kill_at{};
  std::optional<int> status;
  Clock::time_point drain_until{};
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (!command.reaped && HasExited(command)) {
      status = KillGroupAndReap(command);
      drain_until = now + kDrainAfterExit;
    }
    if (command.reaped && (!command.output.valid() || now >= drain_until)) break;
    if (!command.reaped && !stopping) {
      const bool cancelled = command.stop.stop_requested() || command.shutdown.stop_requested();
      if (cancelled || now >= command.deadline) {
        ending = cancelled ? Ending::kCancelled : Ending::kTimedOut;
        stopping = true;
        kill(-command.pid, SIGTERM);
        sigkill_due = true;
        kill_at = now + command.kill_grace;
      }
    }
    if (!command.reaped && sigkill_due && now >= kill_at) {
      kill(-command.pid, SIGKILL);
      sigkill_due = false;
    }

    int timeout_ms = -1;
    if (command.reaped) {
      timeout_ms = MillisecondsUntil(drain_until, now);
    } else if (sigkill_due) {
      timeout_ms = MillisecondsUntil(kill_at, now);
    } else if (!stopping) {
      timeout_ms = MillisecondsUntil(command.deadline, now);
    }
    if (!command.reaped && !command.pidfd.valid()) {
      const int tick = static_cast<int>(kExitPollTick.count());
      timeout_ms = timeout_ms < 0 ? tick : std::min(timeout_ms, tick);
    }
    pollfd fds[3];
    nfds_t count = 0;
    const nfds_t output_index = count;
    if (command.output.valid()) fds[count++] = {command.output.get(), POLLIN, 0};
    if (!command.reaped && command.pidfd.valid()) fds[count++] = {command.pidfd.get(), POLLIN, 0};
    const nfds_t wake_index = count;
    fds[count++] = {wake.get(), POLLIN, 0};
    if (poll(fds, count, timeout_ms) < 0) continue;  // EINTR: look again
    if (command.output.valid() && fds[output_index].revents != 0 && !ReadOutput(command.output.get(), output)) {
      command.output.Reset();
    }
    if (fds[wake_index].revents != 0) {
      std::uint64_t ignored = 0;
      [[maybe_unused]] const ssize_t drained = read(wake.get(), &ignored, sizeof ignored);
    }
  }
  return ResultOf(command, ending, status, std::move(output));
}

}  // namespace

ShellTaskRunner::ShellTaskRunner(ShellRunnerOptions options) : options_(std::move(options)) {}

ShellTaskRunner::~ShellTaskRunner() {
  shutdown_.request_stop();
  std::list<Supervisor> all;
  {
    std::lock_guard lock(mutex_);
    // Splicing keeps the elements, which their threads still mark finished.
    all.splice(all.end(), supervisors_);
  }
  for (Supervisor& supervisor : all) supervisor.thread.join();
}

void ShellTaskRunner::ReapFinished() {
  std::list<Supervisor> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = supervisors_.begin(); it != supervisors_.end();) {
      const auto next = std::next(it);
      if (it->finished) finished.splice(finished.end(), supervisors_, it);
      it = next;
    }
  }
  for (Supervisor& supervisor : finished) supervisor.thread.join();
}

void ShellTaskRunner::Start(const core::Task& task, const RunContext& context, DoneCallback done) {
  const auto* shell = std::get_if<core::ShellTask>(&task);
  if (shell == nullptr) {
    done(TaskResult::Failed("the shell runner cannot run a " + std::string(core::TaskTypeName(task)) + " task"));
    return;
  }
  if (context.stop.stop_requested() || shutdown_.stop_requested()) {
    done(TaskResult::Cancelled("cancelled before the command started"));
    return;
  }
  if (shell->command.empty()) {
    done(TaskResult::Failed("the task has no command"));
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
    const std::string path = PathOf(*shell, options_.path);
    const std::optional<std::string> program = FindProgram(shell->command.front(), path);
    if (!program) {
      command->done(TaskResult::Failed("command not found: " + shell->command.front() + " (PATH=" + path + ")"));
      return;
    }
    auto spawned = Spawn(*program, *shell, Environment(*shell, context, path));
    if (!spawned) {
      command->done(TaskResult::Failed(spawned.error().message));
      return;
    }
    command->pid = spawned->pid;
    command->output = std::move(spawned->output);
    command->pidfd = Fd(static_cast<int>(syscall(SYS_pidfd_open, spawned->pid, 0)));
    command->timeout = context.timeout;
    command->deadline = Clock::now() + context.timeout;
    command->kill_grace = options_.kill_grace;
    command->stop = context.stop;
    command->shutdown = shutdown_.get_token();

    std::lock_guard lock(mutex_);
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
        std::lock_guard finished_lock(mutex_);
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
