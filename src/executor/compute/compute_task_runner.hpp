#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/result.hpp"
#include "executor/compute/interrupt.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::compute {

struct ComputeOptions {
  // Threads doing the number crunching. 0, the default, means one per core
  // (std::thread::hardware_concurrency(), or 1 when unknown). More threads
  // than cores only slows every computation down.
  std::size_t threads = 0;
};

// Runs core::ComputeTask on its own fixed pool of threads, so CPU-bound work
// never occupies an I/O thread; tasks wait in a queue while every thread is
// busy. The attempt's timeout counts from Start(), queueing included, and a
// computation checks it (and RunContext::stop) as it goes, ending as
// kTimedOut (or kCancelled) within milliseconds. A queued task notices either
// only when a thread takes it up. Outputs are one line of JSON.
class ComputeTaskRunner final : public TaskRunner {
 public:
  // Fails with kInternal when the threads cannot be started.
  static core::Result<std::unique_ptr<ComputeTaskRunner>> Create(ComputeOptions options = {});

  ComputeTaskRunner(const ComputeTaskRunner&) = delete;
  ComputeTaskRunner& operator=(const ComputeTaskRunner&) = delete;
  // Ends queued tasks with kCancelled, interrupts running ones (they end with
  // kCancelled too) and joins the threads; every `done` has run when it returns.
  ~ComputeTaskRunner() override;

  // Rejects (kFailed) an n outside 1..core::MaxComputeInput(kind): the store
  // validated it, but a bad row must not occupy a core for hours.
  void Start(const core::Task& task, const RunContext& context, DoneCallback done) override EXCLUDES(mutex_);

  std::size_t thread_count() const { return threads_.size(); }

  // Waits until exactly `running` tasks are being computed; false if that did
  // not happen within `within`.
  bool WaitUntilRunningForTest(std::size_t running, std::chrono::milliseconds within) EXCLUDES(mutex_);
  std::size_t QueuedForTest() const EXCLUDES(mutex_);

 private:
  struct Job {
    core::ComputeTask task;
    RunContext context;
    DoneCallback done;
    std::chrono::steady_clock::time_point deadline;
  };

  ComputeTaskRunner() = default;
  void Work() EXCLUDES(mutex_);
  TaskResult Run(const Job& job, const Interrupt& interrupt) const;

  mutable core::Mutex mutex_;
  std::condition_variable wake_;     // work queued, or stopping
  std::condition_variable changed_;  // running_ changed (for tests)
  std::deque<Job> queue_ GUARDED_BY(mutex_);
  std::size_t running_ GUARDED_BY(mutex_) = 0;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::stop_source shutdown_;  // interrupts running computations on destruction
  std::vector<std::thread> threads_;
};

}  // namespace jobsched::executor::compute
