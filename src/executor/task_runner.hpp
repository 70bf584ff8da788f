#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/task.hpp"

namespace jobsched::executor {

// How one attempt of a run ended. The worker pool turns this into a retry or a
// final state with the job's RetryPolicy; a runner never decides about retries.
enum class RunOutcome {
  kSucceeded,
  kFailed,     // the task ran and failed (HTTP 503, SMTP refused, bad input)
  kTimedOut,   // RunContext::timeout (or the task's own timeout) ran out
  kCancelled,  // RunContext::stop was requested or the runner shut down first;
               // the attempt did not finish and should go back to the queue
};

std::string_view ToString(RunOutcome outcome);

// Outputs longer than this are cut: run history is for humans, not a blob store.
inline constexpr std::size_t kMaxOutputBytes = 64 * 1024;

// What a runner knows about the run it executes.
struct RunContext {
  std::int64_t run_id = 0;  // unique per run: the idempotency key the receiver sees
  std::int64_t job_id = 0;
  int attempt = 1;  // 1 for the first try of this run
  // For the whole attempt, counted from Start(), including any time spent
  // waiting for a free thread. Must be positive.
  std::chrono::milliseconds timeout{30'000};
  // Requested when the attempt must end early: graceful shutdown, or a lost
  // lease. The runner then ends it soon with kCancelled. Default: never.
  std::stop_token stop;
};

struct TaskResult {
  RunOutcome outcome = RunOutcome::kFailed;
  std::string output;  // at most kMaxOutputBytes; empty when there is none
  std::string error;   // why it did not succeed, for humans; empty on success

  static TaskResult Succeeded(std::string output);
  static TaskResult Failed(std::string error, std::string output = {});
  static TaskResult TimedOut(std::string error, std::string output = {});
  static TaskResult Cancelled(std::string error);
};

// Called exactly once per Start(), from whichever thread finished the task
// (often an I/O or compute thread of the runner). Must be quick and must not
// throw: hand the result to your own queue rather than doing store I/O here.
using DoneCallback = std::function<void(TaskResult)>;

// Runs one kind of task. Implementations: NoopTaskRunner, HttpTaskRunner,
// EmailTaskRunner, ComputeTaskRunner.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;

  // Starts the task and returns without waiting for it. `done` is called
  // exactly once, possibly before Start() returns. Never throws: unexpected
  // exceptions become kFailed with their message. A task of a kind this runner
  // does not handle fails with kFailed. Thread-safe. Destroying a runner never
  // loses a `done`: its tasks either carry on without it (HTTP and email live
  // on the CurlLoop, whose destructor cancels them) or end with kCancelled
  // before the destructor returns (compute).
  virtual void Start(const core::Task& task, const RunContext& context, DoneCallback done) = 0;
};

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
void TruncateUtf8(std::string& text, std::size_t max_bytes = kMaxOutputBytes);

}  // namespace jobsched::executor
