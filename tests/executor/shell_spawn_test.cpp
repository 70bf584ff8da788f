#include "executor/shell/shell_spawn.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/temp_dir.hpp"

namespace jobsched::executor::shell {
namespace {

// A file named `name` in `directory` with the given permission bits.
std::string MakeFile(const std::filesystem::path& directory, const std::string& name, mode_t mode) {
  const std::filesystem::path path = directory / name;
  std::ofstream(path) << "#!/bin/sh\n";
  chmod(path.c_str(), mode);
  return path.string();
}

TEST(FindProgram, TakesANameWithASlashAsItIs) {
  EXPECT_EQ(FindProgram("./missing", "/bin"), "./missing");
  EXPECT_EQ(FindProgram("/no/such/program", "/bin"), "/no/such/program");
}

TEST(FindProgram, TakesTheFirstExecutableRegularFileOnThePath) {
  testing::TempDir first;
  testing::TempDir second;
  testing::TempDir third;
  MakeFile(first.path(), "tool", 0644);  // not executable
  std::filesystem::create_directory(second.path() / "tool");
  const std::string wanted = MakeFile(third.path(), "tool", 0755);
  const std::string path = first.path().string() + "::" + second.path().string() + ":" + third.path().string();

  EXPECT_EQ(FindProgram("tool", path), wanted);
}

TEST(FindProgram, FindsNothingWhenNoEntryHasIt) {
  testing::TempDir empty;

  EXPECT_EQ(FindProgram("tool", empty.path().string()), std::nullopt);
  EXPECT_EQ(FindProgram("tool", ""), std::nullopt);
}

TEST(PathOf, PrefersTheTasksPath) {
  core::ShellTask task;
  EXPECT_EQ(PathOf(task, "/default"), "/default");

  task.env = {{"HOME", "/root"}, {"PATH", "/opt/bin"}};
  EXPECT_EQ(PathOf(task, "/default"), "/opt/bin");
}

TEST(Environment, HoldsPathTheTasksVariablesAndTheRunsWhichWin) {
  core::ShellTask task;
  task.env = {{"GREETING", "hello"}, {"JOBSCHED_RUN_ID", "forged"}};
  RunContext context;
  context.run_id = 42;
  context.job_id = 7;
  context.attempt = 2;

  const std::vector<std::string> environment = Environment(task, context, "/usr/bin");

  EXPECT_EQ(environment, (std::vector<std::string>{"GREETING=hello", "JOBSCHED_ATTEMPT=2", "JOBSCHED_JOB_ID=7",
                                                   "JOBSCHED_RUN_ID=42", "PATH=/usr/bin"}));
}

}  // namespace
}  // namespace jobsched::executor::shell
