#include "executor/noop/noop_task_runner.hpp"

#include <gtest/gtest.h>

#include "result_collector.hpp"

namespace jobsched::executor::noop {
namespace {

TEST(NoopTaskRunner, SucceedsAtOnceWithEmptyOutput) {
  NoopTaskRunner runner;
  testing::ResultCollector collector;

  runner.Start(core::NoopTask{}, RunContext{}, collector.Callback());

  ASSERT_EQ(collector.Count(), 1U);
  EXPECT_EQ(collector.Results()[0].outcome, RunOutcome::kSucceeded);
  EXPECT_EQ(collector.Results()[0].output, "");
}

TEST(NoopTaskRunner, FailsOnOtherTaskKinds) {
  NoopTaskRunner runner;

  TaskResult result = testing::RunAndWait(runner, core::ComputeTask{}, RunContext{});

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "the noop runner cannot run a compute task");
}

}  // namespace
}  // namespace jobsched::executor::noop
