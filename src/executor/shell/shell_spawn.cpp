#include "executor/shell/shell_spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace jobsched::executor::shell {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

std::vector<char*> Pointers(std::vector<std::string>& texts) {
  std::vector<char*> pointers;
  pointers.reserve(texts.size() + 1);
  for (std::string& text : texts) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Fails unless the task's working directory, when it names one, is a directory.
core::Result<void> CheckWorkingDir(const core::ShellTask& task) {
  if (!task.working_dir) return core::Ok();
  struct stat info {};
  if (stat(task.working_dir->c_str(), &info) != 0) {
    return core::Error::InvalidArgument("task.working_dir",
                                        "working_dir " + *task.working_dir + ": " + ErrnoText(errno));
  }
  if (!S_ISDIR(info.st_mode)) {
    return core::Error::InvalidArgument("task.working_dir", "working_dir " + *task.working_dir + ": not a directory");
  }
  return core::Ok();
}

// The posix_spawn attributes and file actions for a command writing into
// `output_fd`, destroyed with this.
struct SpawnSetup {
  SpawnSetup(const core::ShellTask& task, int output_fd) {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
    // Nothing of the service leaks into the command: listening sockets, the
    // database, other runs' pipes and connections.
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    if (task.working_dir) posix_spawn_file_actions_addchdir_np(&actions, task.working_dir->c_str());
    // The service blocks SIGTERM and SIGINT in every thread (it waits for them
    // with sigwait) and ignores SIGPIPE: a command would inherit both, and
    // then SIGTERM could not stop it.
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t all_signals;
    sigfillset(&all_signals);
    sigdelset(&all_signals, SIGKILL);
    sigdelset(&all_signals, SIGSTOP);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setsigdefault(&attributes, &all_signals);
    // A process group of its own, so that a timeout stops what it started too.
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(
        &attributes, static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
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

}  // namespace

void Fd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

std::string PathOf(const core::ShellTask& task, const std::string& default_path) {
  for (const auto& [name, value] : task.env) {
    if (name == "PATH") return value;
  }
  return default_path;
}

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

core::Result<Spawned> Spawn(const std::string& program, const core::ShellTask& task,
                            std::vector<std::string> environment) {
  if (auto checked = CheckWorkingDir(task); !checked) return checked.error();
  int pipe_ends[2];
  if (pipe2(pipe_ends, O_CLOEXEC) != 0) return core::Error::Internal("cannot create a pipe: " + ErrnoText(errno));
  Fd read_end(pipe_ends[0]);
  Fd write_end(pipe_ends[1]);
  fcntl(read_end.get(), F_SETFL, fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);

  const SpawnSetup setup(task, write_end.get());
  std::vector<std::string> arguments = task.command;
  std::vector<char*> argv = Pointers(arguments);
  std::vector<char*> envp = Pointers(environment);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes, argv.data(), envp.data());
  if (error != 0)
    return core::Error::InvalidArgument("task.command", "cannot start " + program + ": " + ErrnoText(error));
  return Spawned{pid, std::move(read_end)};
}

}  // namespace jobsched::executor::shell
