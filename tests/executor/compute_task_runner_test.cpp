#include "executor/compute/compute_task_runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>

#include "result_collector.hpp"

namespace jobsched::executor::compute {
namespace {

using namespace std::chrono_literals;

core::ComputeTask Task(core::ComputeKind kind, std::int64_t n) { return core::ComputeTask{kind, n}; }

// A computation that takes seconds: long enough to still run when the test
// looks, and stopped by the test long before it ends.
core::ComputeTask LongTask() { return Task(core::ComputeKind::kPrimeCount, 2'000'000'000); }

RunContext Context(std::chrono::milliseconds timeout = 60s, std::stop_token stop = {}) {
  RunContext context;
  context.run_id = 99;
  context.job_id = 5;
  context.timeout = timeout;
  context.stop = std::move(stop);
  return context;
}

std::unique_ptr<ComputeTaskRunner> Runner(std::size_t threads = 0) {
  return ComputeTaskRunner::Create(ComputeOptions{threads}).value();
}

TEST(ComputeTaskRunner, HasOneThreadPerCoreByDefault) {
  EXPECT_EQ(Runner()->thread_count(), std::max(1U, std::thread::hardware_concurrency()));
}

TEST(ComputeTaskRunner, ComputesFactorialSum) {
  auto runner = Runner();

  TaskResult result = testing::RunAndWait(*runner, Task(core::ComputeKind::kFactorialSum, 10), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_NE(result.output.find(R"("value":"4037913")"), std::string::npos) << result.output;
}

TEST(ComputeTaskRunner, ComputesFactorialSumOfOneThousandToItsDigitCount) {
  auto runner = Runner();

  TaskResult result = testing::RunAndWait(*runner, Task(core::ComputeKind::kFactorialSum, 1000), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_NE(result.output.find(R"("digits":2568,)"), std::string::npos) << result.output;
}

TEST(ComputeTaskRunner, CountsPrimes) {
  auto runner = Runner();

  TaskResult result = testing::RunAndWait(*runner, Task(core::ComputeKind::kPrimeCount, 1'000'000), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output, R"({"n":1000000,"prime_count":78498})");
}

TEST(ComputeTaskRunner, EstimatesPiReproduciblyPerRun) {
  auto runner = Runner();
  const core::ComputeTask task = Task(core::ComputeKind::kMonteCarloPi, 1'000'000);

  TaskResult first = testing::RunAndWait(*runner, task, Context());
  TaskResult second = testing::RunAndWait(*runner, task, Context());

  EXPECT_EQ(first.outcome, RunOutcome::kSucceeded) << first.error;
  EXPECT_EQ(first.output, second.output);
  EXPECT_NE(first.output.find(R"("estimate":3.14)"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find(R"("seed":99)"), std::string::npos) << first.output;
}

TEST(ComputeTaskRunner, TimesOutALongComputation) {
  auto runner = Runner();

  TaskResult result = testing::RunAndWait(*runner, LongTask(), Context(100ms));

  EXPECT_EQ(result.outcome, RunOutcome::kTimedOut);
  EXPECT_EQ(result.error, "timed out after 100 ms");
}

TEST(ComputeTaskRunner, EndsAsCancelledWhenStopIsRequested) {
  auto runner = Runner(1);
  std::stop_source stop;
  testing::ResultCollector collector;
  runner->Start(LongTask(), Context(60s, stop.get_token()), collector.Callback());
  ASSERT_TRUE(runner->WaitUntilRunningForTest(1, 10s));

  stop.request_stop();

  ASSERT_TRUE(collector.WaitFor(1));
  EXPECT_EQ(collector.Results()[0].outcome, RunOutcome::kCancelled);
}

TEST(ComputeTaskRunner, RunsAsManyTasksAtOnceAsItHasThreadsAndQueuesTheRest) {
  auto runner = Runner(2);
  std::stop_source stop;
  testing::ResultCollector collector;

  for (int i = 0; i < 3; ++i) runner->Start(LongTask(), Context(60s, stop.get_token()), collector.Callback());

  EXPECT_TRUE(runner->WaitUntilRunningForTest(2, 10s));
  EXPECT_EQ(runner->QueuedForTest(), 1U);
  EXPECT_EQ(collector.Count(), 0U);
  stop.request_stop();
  ASSERT_TRUE(collector.WaitFor(3));
  for (const TaskResult& result : collector.Results()) EXPECT_EQ(result.outcome, RunOutcome::kCancelled);
}

TEST(ComputeTaskRunner, CancelsQueuedAndRunningTasksWhenDestroyed) {
  auto runner = Runner(1);
  testing::ResultCollector collector;
  runner->Start(LongTask(), Context(), collector.Callback());
  runner->Start(LongTask(), Context(), collector.Callback());
  ASSERT_TRUE(runner->WaitUntilRunningForTest(1, 10s));

  runner.reset();

  ASSERT_EQ(collector.Count(), 2U);
  for (const TaskResult& result : collector.Results()) EXPECT_EQ(result.outcome, RunOutcome::kCancelled);
}

TEST(ComputeTaskRunner, RefusesAnInputBeyondTheMaximum) {
  auto runner = Runner();

  TaskResult result = testing::RunAndWait(*runner, Task(core::ComputeKind::kFactorialSum, 1'000'000'000), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "n must be from 1 to 20000 for factorial_sum, got 1000000000");
}

TEST(ComputeTaskRunner, FailsOnOtherTaskKinds) {
  auto runner = Runner();

  TaskResult result = testing::RunAndWait(*runner, core::NoopTask{}, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "the compute runner cannot run a noop task");
}

}  // namespace
}  // namespace jobsched::executor::compute
