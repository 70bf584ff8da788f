#include "client/run_follower.hpp"

#include <gtest/gtest.h>

namespace jobsched::client {
namespace {

TEST(DiffOutput, GivesWhatWasAppendedOrTheWholeOutputWhenItWasReplaced) {
  EXPECT_EQ(DiffOutput("", "").text, "");
  EXPECT_EQ(DiffOutput("HTTP 200\n", "HTTP 200\nmore").text, "more");
  EXPECT_FALSE(DiffOutput("HTTP 200\n", "HTTP 200\nmore").restarted);
  const OutputChange replaced = DiffOutput("HTTP 500\n", "HTTP 200\n");
  EXPECT_EQ(replaced.text, "HTTP 200\n");
  EXPECT_TRUE(replaced.restarted);
}

TEST(IsTerminalRunState, KnowsWhichStatesEndARun) {
  for (const char* ended : {"succeeded", "failed", "timed_out", "skipped", "cancelled"}) {
    EXPECT_TRUE(IsTerminalRunState(ended)) << ended;
  }
  EXPECT_FALSE(IsTerminalRunState("queued"));
  EXPECT_FALSE(IsTerminalRunState("running"));
}

}  // namespace
}  // namespace jobsched::client
