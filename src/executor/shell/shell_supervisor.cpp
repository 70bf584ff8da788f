#include "executor/shell/shell_supervisor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace jobsched::executor::shell {
namespace {

using Clock = std::chrono::steady_clock;

// After the command exits, how long output of processes that left its
// process group (and so survived the kill) may keep the pipe open.
constexpr std::chrono::milliseconds kDrainAfterExit{1'000};
// How often to look for the exit when the kernel gives no pidfd (Linux < 5.3).
constexpr std::chrono::milliseconds kExitPollTick{20};

std::string SignalName(int signal_number) {
  const char* abbreviation = sigabbrev_np(signal_number);
  return abbreviation != nullptr ? "SIG" + std::string(abbreviation) : "unknown";
}

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

// What a supervision has seen and done so far.
struct Progress {
  std::string output;
  Ending ending = Ending::kExited;
  bool stopping = false;
  bool sigkill_due = false;  // SIGTERM was sent; SIGKILL follows at kill_at
  Clock::time_point kill_at{};
  std::optional<int> status;
  Clock::time_point drain_until{};
};

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

// Reaps the command once it has exited, and signals its group when a stop
// is due. Returns false when there is nothing left to wait for: the command
// is reaped and its output drained, or the drain time is over.
bool Advance(Command& command, Progress& progress, Clock::time_point now) {
  if (!command.reaped && HasExited(command)) {
    progress.status = KillGroupAndReap(command);
    progress.drain_until = now + kDrainAfterExit;
  }
  if (command.reaped && (!command.output.valid() || now >= progress.drain_until)) return false;
  if (!command.reaped && !progress.stopping) {
    const bool cancelled = command.stop.stop_requested() || command.shutdown.stop_requested();
    if (cancelled || now >= command.deadline) {
      progress.ending = cancelled ? Ending::kCancelled : Ending::kTimedOut;
      progress.stopping = true;
      kill(-command.pid, SIGTERM);
      progress.sigkill_due = true;
      progress.kill_at = now + command.kill_grace;
    }
  }
  if (!command.reaped && progress.sigkill_due && now >= progress.kill_at) {
    kill(-command.pid, SIGKILL);
    progress.sigkill_due = false;
  }
  return true;
}

// How long the next poll may sleep: until the next thing due (end of the
// drain, SIGKILL, the deadline), or a tick when the exit cannot be polled.
// -1 for no limit.
int PollTimeoutMs(const Command& command, const Progress& progress, Clock::time_point now) {
  int timeout_ms = -1;
  if (command.reaped) {
    timeout_ms = MillisecondsUntil(progress.drain_until, now);
  } else if (progress.sigkill_due) {
    timeout_ms = MillisecondsUntil(progress.kill_at, now);
  } else if (!progress.stopping) {
    timeout_ms = MillisecondsUntil(command.deadline, now);
  }
  if (!command.reaped && !command.pidfd.valid()) {
    const int tick = static_cast<int>(kExitPollTick.count());
    timeout_ms = timeout_ms < 0 ? tick : std::min(timeout_ms, tick);
  }
  return timeout_ms;
}

// Sleeps until output arrives, the command exits, `wake` is poked or
// `timeout_ms` passes; reads the output and empties `wake`.
void WaitForEvents(Command& command, const Fd& wake, std::string& output, int timeout_ms) {
  pollfd fds[3];
  nfds_t count = 0;
  const nfds_t output_index = count;
  if (command.output.valid()) fds[count++] = {command.output.get(), POLLIN, 0};
  if (!command.reaped && command.pidfd.valid()) fds[count++] = {command.pidfd.get(), POLLIN, 0};
  const nfds_t wake_index = count;
  fds[count++] = {wake.get(), POLLIN, 0};
  if (poll(fds, count, timeout_ms) < 0) return;  // EINTR: the caller looks again
  if (command.output.valid() && fds[output_index].revents != 0 && !ReadOutput(command.output.get(), output)) {
    command.output.Reset();
  }
  if (fds[wake_index].revents != 0) {
    std::uint64_t ignored = 0;
    [[maybe_unused]] const ssize_t drained = read(wake.get(), &ignored, sizeof ignored);
  }
}

}  // namespace

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

TaskResult Supervise(Command& command) {
  Fd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  const auto poke = [fd = wake.get()] {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(fd, &one, sizeof one);
  };
  std::stop_callback on_stop(command.stop, poke);
  std::stop_callback on_shutdown(command.shutdown, poke);

  Progress progress;
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (!Advance(command, progress, now)) break;
    WaitForEvents(command, wake, progress.output, PollTimeoutMs(command, progress, now));
  }
  return ResultOf(command, progress.ending, progress.status, std::move(progress.output));
}

}  // namespace jobsched::executor::shell
