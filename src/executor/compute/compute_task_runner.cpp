#include "executor/compute/compute_task_runner.hpp"

#include <algorithm>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "executor/compute/factorial_sum.hpp"
#include "executor/compute/monte_carlo_pi.hpp"
#include "executor/compute/prime_count.hpp"

namespace jobsched::executor::compute {
namespace {

TaskResult Interrupted(Interrupt::Reason reason, const RunContext& context, bool started) {
  if (reason == Interrupt::Reason::kDeadline) {
    return TaskResult::TimedOut("timed out after " + std::to_string(context.timeout.count()) + " ms" +
                                (started ? "" : ", still waiting for a free compute thread"));
  }
  return TaskResult::Cancelled(started ? "cancelled while computing" : "cancelled before it started");
}

TaskResult Compute(const core::ComputeTask& task, const RunContext& context, const Interrupt& interrupt) {
  switch (task.kind) {
    case core::ComputeKind::kFactorialSum: {
      const auto decimal = FactorialSumDecimal(task.n, interrupt);
      if (!decimal) return Interrupted(interrupt.Check(), context, true);
      auto output = DescribeFactorialSum(task.n, *decimal);
      if (!output) return TaskResult::Failed(output.error().message);
      return TaskResult::Succeeded(std::move(*output));
    }
    case core::ComputeKind::kPrimeCount: {
      const auto count = CountPrimes(task.n, interrupt);
      if (!count) return Interrupted(interrupt.Check(), context, true);
      return TaskResult::Succeeded("{\"n\":" + std::to_string(task.n) + ",\"prime_count\":" + std::to_string(*count) +
                                   "}");
    }
    case core::ComputeKind::kMonteCarloPi: {
      // The run id makes the estimate reproducible per run, and different
      // between runs.
      const auto seed = static_cast<std::uint64_t>(context.run_id);
      const auto estimate = EstimatePi(task.n, seed, interrupt);
      if (!estimate) return Interrupted(interrupt.Check(), context, true);
      return TaskResult::Succeeded(DescribePiEstimate(*estimate, seed));
    }
  }
  return TaskResult::Failed("unknown compute kind");
}

}  // namespace

core::Result<std::unique_ptr<ComputeTaskRunner>> ComputeTaskRunner::Create(ComputeOptions options) {
  std::size_t count = options.threads;
  if (count == 0) count = std::max(1U, std::thread::hardware_concurrency());
  std::unique_ptr<ComputeTaskRunner> runner(new ComputeTaskRunner());
  try {
    runner->threads_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) runner->threads_.emplace_back([raw = runner.get()] { raw->Work(); });
  } catch (const std::system_error& error) {
    // The destructor stops and joins the threads that did start.
    return core::Error::Internal(std::string("cannot start the compute threads: ") + error.what());
  }
  return runner;
}

ComputeTaskRunner::~ComputeTaskRunner() {
  std::deque<Job> abandoned;
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
    abandoned.swap(queue_);
  }
  shutdown_.request_stop();
  wake_.notify_all();
  for (Job& job : abandoned) job.done(TaskResult::Cancelled("cancelled before it started: shutting down"));
  for (std::thread& thread : threads_) thread.join();
}

void ComputeTaskRunner::Start(const core::Task& task, const RunContext& context, DoneCallback done) {
  const auto* compute = std::get_if<core::ComputeTask>(&task);
  if (compute == nullptr) {
    done(TaskResult::Failed("the compute runner cannot run a " + std::string(core::TaskTypeName(task)) + " task"));
    return;
  }
  const std::int64_t max = core::MaxComputeInput(compute->kind);
  if (compute->n < 1 || compute->n > max) {
    done(TaskResult::Failed("n must be from 1 to " + std::to_string(max) + " for " +
                            std::string(core::ToString(compute->kind)) + ", got " + std::to_string(compute->n)));
    return;
  }
  // Nothing here throws: the task is plain data and the rest is moved.
  Job job{*compute, context, std::move(done), std::chrono::steady_clock::now() + context.timeout};
  bool queued = false;
  bool stopping = false;
  try {
    core::MutexLock lock(mutex_);
    stopping = stopping_;
    if (!stopping) {
      queue_.push_back(std::move(job));  // leaves `job` alone if it throws
      queued = true;
    }
  } catch (const std::bad_alloc&) {
    queued = false;
  }
  if (queued) {
    wake_.notify_one();
  } else if (stopping) {
    // `job` was not moved from: push_back moved it only when it queued it.
    // NOLINTNEXTLINE(bugprone-use-after-move)
    job.done(TaskResult::Cancelled("cancelled before it started: shutting down"));
  } else {
    // NOLINTNEXTLINE(bugprone-use-after-move)
    job.done(TaskResult::Failed("cannot queue the computation: out of memory"));
  }
}

void ComputeTaskRunner::Work() {
  for (;;) {
    std::optional<Job> job;
    {
      core::MutexLock lock(mutex_);
      wake_.wait(lock.native(), [this] {
        mutex_.AssertHeld();
        return stopping_ || !queue_.empty();
      });
      if (stopping_) return;  // the destructor ends what is still queued
      job.emplace(std::move(queue_.front()));
      queue_.pop_front();
      ++running_;
    }
    changed_.notify_all();

    const Interrupt interrupt(job->deadline, job->context.stop, shutdown_.get_token());
    TaskResult result = Run(*job, interrupt);
    {
      core::MutexLock lock(mutex_);
      --running_;
    }
    changed_.notify_all();
    job->done(std::move(result));
  }
}

TaskResult ComputeTaskRunner::Run(const Job& job, const Interrupt& interrupt) const {
  if (const auto reason = interrupt.Check(); reason != Interrupt::Reason::kNone) {
    return Interrupted(reason, job.context, false);
  }
  try {
    return Compute(job.task, job.context, interrupt);
  } catch (const std::exception& error) {
    return TaskResult::Failed(std::string("unexpected error: ") + error.what());
  }
}

bool ComputeTaskRunner::WaitUntilRunningForTest(std::size_t running, std::chrono::milliseconds within) {
  core::MutexLock lock(mutex_);
  return changed_.wait_for(lock.native(), within, [&] {
    mutex_.AssertHeld();
    return running_ == running;
  });
}

std::size_t ComputeTaskRunner::QueuedForTest() const {
  core::MutexLock lock(mutex_);
  return queue_.size();
}

}  // namespace jobsched::executor::compute
