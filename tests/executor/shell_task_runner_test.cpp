#include "executor/shell/shell_task_runner.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "result_collector.hpp"
#include "testing/temp_dir.hpp"

namespace jobsched::executor::shell {
namespace {

using namespace std::chrono_literals;

// These tests run real processes, so some wait on real time: each bound is
// loose, and a passing test takes milliseconds unless it is about a timeout.
class ShellTaskRunnerTest : public ::testing::Test {
 protected:
  static RunContext Context(std::chrono::milliseconds timeout = 10s) {
    RunContext context;
    context.run_id = 42;
    context.job_id = 7;
    context.attempt = 2;
    context.timeout = timeout;
    return context;
  }

  static core::ShellTask Command(std::vector<std::string> command) {
    core::ShellTask task;
    task.command = std::move(command);
    return task;
  }

  TaskResult Run(const core::ShellTask& task, const RunContext& context = Context()) {
    return executor::testing::RunAndWait(runner_, task, context);
  }

  ShellTaskRunner runner_;
};

// Whether process `pid` is gone (or a zombie about to be reaped by init) within `within`.
bool ProcessEnds(pid_t pid, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    const std::string stat = "/proc/" + std::to_string(pid) + "/stat";
    char state = '?';
    if (FILE* file = std::fopen(stat.c_str(), "r")) {
      if (std::fscanf(file, "%*d %*s %c", &state) != 1) state = '?';
      std::fclose(file);
    }
    if (state == 'Z') return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST_F(ShellTaskRunnerTest, SucceedsWithExitCodeZeroAndKeepsTheOutput) {
  TaskResult result = Run(Command({"echo", "hello", "world"}));

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output, "hello world\n");
}

TEST_F(ShellTaskRunnerTest, CapturesStdoutAndStderrInTheOrderWritten) {
  TaskResult result = Run(Command({"/bin/sh", "-c", "echo one; echo two >&2; echo three"}));

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output, "one\ntwo\nthree\n");
}

TEST_F(ShellTaskRunnerTest, FailsWithTheExitCodeAndTheOutput) {
  TaskResult result = Run(Command({"/bin/sh", "-c", "echo partial; exit 3"}));

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "exited with code 3");
  EXPECT_EQ(result.output, "partial\n");
}

TEST_F(ShellTaskRunnerTest, NamesTheSignalThatKilledTheCommand) {
  TaskResult result = Run(Command({"/bin/sh", "-c", "kill -9 $$"}));

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "killed by signal 9 (SIGKILL)");
}

TEST_F(ShellTaskRunnerTest, PassesArgumentsAsTheyAreWithoutAShell) {
  TaskResult result = Run(Command({"echo", "$HOME", "a;b", "*", "`id`", "'q'"}));

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output, "$HOME a;b * `id` 'q'\n");
}

TEST_F(ShellTaskRunnerTest, FailsClearlyWhenTheCommandIsNotFound) {
  TaskResult result = Run(Command({"no-such-command-for-jobsched-tests"}));

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("command not found: no-such-command-for-jobsched-tests (PATH=", 0), 0U) << result.error;
}

TEST_F(ShellTaskRunnerTest, GivesAMinimalEnvironmentWithTheTasksVariablesAndTheRun) {
  setenv("JOBSCHED_TEST_SERVICE_SECRET", "must-not-leak", 1);
  core::ShellTask task = Command({"env"});
  task.env = {{"GREETING", "hi there"}, {"JOBSCHED_RUN_ID", "forged"}};

  TaskResult result = Run(task);

  unsetenv("JOBSCHED_TEST_SERVICE_SECRET");
  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output,
            "GREETING=hi there\nJOBSCHED_ATTEMPT=2\nJOBSCHED_JOB_ID=7\nJOBSCHED_RUN_ID=42\n"
            "PATH=/usr/local/bin:/usr/bin:/bin\n");
}

TEST_F(ShellTaskRunnerTest, RunsInTheWorkingDirectory) {
  jobsched::testing::TempDir dir;
  core::ShellTask task = Command({"pwd"});
  task.working_dir = std::filesystem::canonical(dir.path()).string();
  core::ShellTask missing = Command({"pwd"});
  missing.working_dir = dir.File("missing");

  TaskResult result = Run(task);
  TaskResult refused = Run(missing);

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output, *task.working_dir + "\n");
  EXPECT_EQ(refused.outcome, RunOutcome::kFailed);
  EXPECT_EQ(refused.error, "working_dir " + *missing.working_dir + ": No such file or directory");
}

TEST_F(ShellTaskRunnerTest, InheritsNoFileDescriptorOfTheService) {
  const int leaky = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);

  TaskResult result = Run(Command({"ls", "/proc/self/fd"}));

  close(leaky);
  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  // ls itself holds 3, the directory it lists.
  EXPECT_EQ(result.output, "0\n1\n2\n3\n");
}

TEST_F(ShellTaskRunnerTest, CapsTheOutputButReadsToTheEnd) {
  TaskResult result = Run(Command({"/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' a; echo done >&2"}));

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output.size(), kMaxOutputBytes);
  EXPECT_EQ(result.output.find_first_not_of('a'), std::string::npos);
}

TEST_F(ShellTaskRunnerTest, TimeoutKillsASleep) {
  const auto started = std::chrono::steady_clock::now();

  TaskResult result = Run(Command({"sleep", "30"}), Context(200ms));

  EXPECT_EQ(result.outcome, RunOutcome::kTimedOut);
  EXPECT_EQ(result.error, "timed out after 200 ms; the command's process group was stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(ShellTaskRunnerTest, TimeoutKillsTheWholeProcessGroup) {
  // A second: the shell must have started the sleep and said its pid before
  // the timeout, even on a loaded machine.
  TaskResult result = Run(Command({"/bin/sh", "-c", "sleep 30 & echo $!; wait"}), Context(1s));

  ASSERT_EQ(result.outcome, RunOutcome::kTimedOut);
  ASSERT_FALSE(result.output.empty()) << "the shell did not get to start the sleep";
  const pid_t background = std::stoi(result.output);
  EXPECT_TRUE(ProcessEnds(background, 5s)) << "the background sleep " << background << " survived";
}

TEST_F(ShellTaskRunnerTest, SigkillsACommandThatIgnoresSigterm) {
  ShellRunnerOptions options;
  options.kill_grace = 300ms;
  ShellTaskRunner runner(options);
  const auto started = std::chrono::steady_clock::now();

  TaskResult result = executor::testing::RunAndWait(
      runner, Command({"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30"}), Context(1s));

  // A second for the shell to set its trap before SIGTERM, then the grace
  // before SIGKILL; without the SIGKILL the sleep would last 30 s.
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.outcome, RunOutcome::kTimedOut);
  EXPECT_EQ(result.output, "ready\n");
  EXPECT_GE(took, 1300ms);
  EXPECT_LT(took, 5s);
}

TEST_F(ShellTaskRunnerTest, StopsTheCommandEvenWhenTheServiceBlocksSigterm) {
  // The service blocks SIGTERM in every thread; posix_spawn must not pass that on.
  ShellRunnerOptions options;
  options.kill_grace = 10s;
  ShellTaskRunner runner(options);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &term, &before);
  const auto started = std::chrono::steady_clock::now();

  TaskResult result = executor::testing::RunAndWait(runner, Command({"sleep", "30"}), Context(200ms));

  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  EXPECT_EQ(result.outcome, RunOutcome::kTimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "SIGTERM did not stop it: it waited for SIGKILL";
}

TEST_F(ShellTaskRunnerTest, EndsAsCancelledWhenStopIsRequested) {
  std::stop_source stop;
  RunContext context = Context();
  context.stop = stop.get_token();
  executor::testing::ResultCollector collector;

  runner_.Start(Command({"sleep", "30"}), context, collector.Callback());
  stop.request_stop();

  ASSERT_TRUE(collector.WaitFor(1, 5s));
  EXPECT_EQ(collector.Results()[0].outcome, RunOutcome::kCancelled);
}

TEST_F(ShellTaskRunnerTest, DestroyingTheRunnerCancelsRunningCommands) {
  auto runner = std::make_unique<ShellTaskRunner>();
  executor::testing::ResultCollector collector;
  runner->Start(Command({"sleep", "30"}), Context(), collector.Callback());
  runner->Start(Command({"sleep", "30"}), Context(), collector.Callback());

  runner.reset();

  ASSERT_EQ(collector.Count(), 2U);
  for (const TaskResult& result : collector.Results()) EXPECT_EQ(result.outcome, RunOutcome::kCancelled);
}

TEST_F(ShellTaskRunnerTest, RunsManyCommandsAtOnce) {
  executor::testing::ResultCollector collector;

  for (int i = 0; i < 20; ++i) {
    runner_.Start(Command({"/bin/sh", "-c", "sleep 0.2; echo ok"}), Context(), collector.Callback());
  }

  ASSERT_TRUE(collector.WaitFor(20, 10s));
  for (const TaskResult& result : collector.Results()) EXPECT_EQ(result.output, "ok\n") << result.error;
}

TEST_F(ShellTaskRunnerTest, FailsOnOtherTaskKinds) {
  TaskResult result = executor::testing::RunAndWait(runner_, core::NoopTask{}, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "the shell runner cannot run a noop task");
}

}  // namespace
}  // namespace jobsched::executor::shell
