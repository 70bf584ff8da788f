#include "executor/task_runner.hpp"

#include <gtest/gtest.h>

namespace jobsched::executor {
namespace {

TEST(TaskResult, CapsOutputAtTheLimit) {
  TaskResult result = TaskResult::Succeeded(std::string(kMaxOutputBytes + 100, 'x'));

  EXPECT_EQ(result.output.size(), kMaxOutputBytes);
  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded);
  EXPECT_TRUE(result.error.empty());
}

TEST(TruncateUtf8, NeverCutsACharacterInHalf) {
  std::string text = "ab\xC3\xA9";  // "abé": é is two bytes

  TruncateUtf8(text, 3);

  EXPECT_EQ(text, "ab");
}

TEST(TruncateUtf8, LeavesShortTextAlone) {
  std::string text = "h\xC3\xA9llo";

  TruncateUtf8(text, 6);

  EXPECT_EQ(text, "h\xC3\xA9llo");
}

TEST(RunOutcome, HasSnakeCaseNames) {
  EXPECT_EQ(ToString(RunOutcome::kSucceeded), "succeeded");
  EXPECT_EQ(ToString(RunOutcome::kFailed), "failed");
  EXPECT_EQ(ToString(RunOutcome::kTimedOut), "timed_out");
  EXPECT_EQ(ToString(RunOutcome::kCancelled), "cancelled");
}

}  // namespace
}  // namespace jobsched::executor
