#include "app/task_runners.hpp"

#include <gtest/gtest.h>

#include <future>

#include "app/system_clock.hpp"

namespace jobsched::app {
namespace {

TEST(TaskRunnerSet, BuildsARunnerForEveryKindThatNeedsNoSettingAndNoOther) {
  SystemClock clock;
  const Config config;

  auto set = TaskRunnerSet::Build(config, clock);

  ASSERT_TRUE(set.ok()) << set.error().message;
  for (std::size_t kind = 0; kind < core::kTaskKindCount; ++kind) {
    const bool always = core::kTaskKinds[kind].enablement == core::TaskEnablement::kAlways;
    EXPECT_EQ((*set)->enabled().Has(kind), always) << core::kTaskKinds[kind].name;
  }
  EXPECT_NE((*set)->table().For(core::NoopTask{}), nullptr);
  EXPECT_NE((*set)->table().For(core::HttpTask{}), nullptr);
  EXPECT_NE((*set)->table().For(core::ComputeTask{}), nullptr);
  EXPECT_EQ((*set)->table().For(core::EmailTask{}), nullptr);
  EXPECT_EQ((*set)->table().For(core::ShellTask{}), nullptr);
}

TEST(TaskRunnerSet, WithSmtpAndShellEnabledEveryKindHasARunner) {
  SystemClock clock;
  Config config;
  config.smtp_url = "smtp://127.0.0.1:2525";
  config.smtp_tls = SmtpTlsMode::kNone;
  config.enable_shell_tasks = true;

  auto set = TaskRunnerSet::Build(config, clock);

  ASSERT_TRUE(set.ok()) << set.error().message;
  for (std::size_t kind = 0; kind < core::kTaskKindCount; ++kind) {
    EXPECT_TRUE((*set)->enabled().Has(kind)) << core::kTaskKinds[kind].name;
  }
  EXPECT_NE((*set)->table().For(core::EmailTask{}), nullptr);
  EXPECT_NE((*set)->table().For(core::ShellTask{}), nullptr);
}

TEST(TaskRunnerSet, EachRunnerRunsItsOwnKind) {
  SystemClock clock;
  auto set = TaskRunnerSet::Build(Config{}, clock);
  ASSERT_TRUE(set.ok());
  const core::Task task = core::ComputeTask{core::ComputeKind::kPrimeCount, 100};
  std::promise<executor::TaskResult> result;

  (*set)->table().For(task)->Start(task, executor::RunContext{},
                                   [&result](executor::TaskResult done) { result.set_value(std::move(done)); });

  const executor::TaskResult done = result.get_future().get();
  EXPECT_EQ(done.outcome, executor::RunOutcome::kSucceeded) << done.error;
  EXPECT_NE(done.output.find("25"), std::string::npos) << done.output;
}

TEST(TaskRunnerSet, AnInvalidSettingOfARunnerFailsTheBuild) {
  SystemClock clock;
  Config config;
  config.allow_task_hosts = "not a block/99";

  auto set = TaskRunnerSet::Build(config, clock);

  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().field, "allow_task_hosts");
}

}  // namespace
}  // namespace jobsched::app
