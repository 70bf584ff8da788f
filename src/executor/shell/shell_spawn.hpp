#pragma once

// Starting a shell task's command: an owned file descriptor, the program's
// lookup on PATH, the command's environment, and posix_spawn in a process
// group of its own with nothing of the service inherited. Used by
// ShellTaskRunner; nothing here waits for the command.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/task.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::shell {

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
  void Reset(int fd = -1);

 private:
  int fd_;
};

// The command's PATH: the task's, or the runner's default.
std::string PathOf(const core::ShellTask& task, const std::string& default_path);

// `name` itself when it has a slash (relative ones are relative to the
// working directory); otherwise the first executable regular file of that
// name in the entries of `path`, as execvp would find it. nullopt when there
// is none.
std::optional<std::string> FindProgram(const std::string& name, std::string_view path);

// "NAME=value" for each variable: PATH, the task's, then the run's, which
// the task cannot override (the command may rely on them, like a webhook
// receiver on Idempotency-Key).
std::vector<std::string> Environment(const core::ShellTask& task, const RunContext& context, const std::string& path);

struct Spawned {
  pid_t pid = -1;  // also its process group
  Fd output;       // read end of the command's stdout and stderr, non-blocking
};

// Starts `program` with the task's arguments, working directory and
// `environment`: stdin from /dev/null, stdout and stderr into one pipe, no
// file descriptor of the service inherited, signal mask and dispositions
// reset, in a process group of its own. kInvalidArgument naming the field for
// a working directory that is not one or a program that cannot start;
// kInternal when no pipe can be made.
core::Result<Spawned> Spawn(const std::string& program, const core::ShellTask& task,
                            std::vector<std::string> environment);

}  // namespace jobsched::executor::shell
