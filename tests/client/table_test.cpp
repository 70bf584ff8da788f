#include "client/table.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::client {
namespace {

using jobsched::testing::At;

TEST(Table, AlignsColumnsByCharactersNotBytes) {
  Table table({"ID", "NAME"});
  table.AddRow({{"1", ""}, {"café", ""}});
  table.AddRow({{"10", ""}, {"x", ""}});

  EXPECT_EQ(table.Render(false), "ID  NAME\n1   café\n10  x\n");
}

TEST(Table, ColoursCellsOnlyWhenAskedAndPadsOutsideTheColour) {
  Table table({"STATE", "ID"});
  table.AddRow({{"failed", "31"}, {"7", ""}});

  EXPECT_EQ(table.Render(false), "STATE   ID\nfailed  7\n");
  EXPECT_EQ(table.Render(true), "STATE   ID\n\x1b[31mfailed\x1b[0m  7\n");
}

TEST(Relative, SaysHowFarWithAtMostTwoUnits) {
  const core::TimePoint now = At("2026-11-27T10:00:00Z");

  EXPECT_EQ(Relative(At("2026-11-27T10:00:00.400Z"), now), "now");
  EXPECT_EQ(Relative(At("2026-11-27T10:00:45Z"), now), "in 45s");
  EXPECT_EQ(Relative(At("2026-11-27T10:01:30Z"), now), "in 1m30s");
  EXPECT_EQ(Relative(At("2026-11-27T13:20:05Z"), now), "in 3h20m");
  EXPECT_EQ(Relative(At("2026-11-29T10:00:00Z"), now), "in 2d");
  EXPECT_EQ(Relative(At("2026-11-27T09:55:00Z"), now), "5m ago");
}

TEST(When, GivesTheRelativeAndTheAbsoluteTime) {
  EXPECT_EQ(When(At("2026-11-27T13:00:00Z"), At("2026-11-27T10:00:00Z")), "in 3h (2026-11-27 13:00:00Z)");
}

TEST(StateColor, ShowsSuccessGreenFailureRedAndWaitingCyan) {
  EXPECT_EQ(StateColor("succeeded"), "32");
  EXPECT_EQ(StateColor("timed_out"), "31");
  EXPECT_EQ(StateColor("queued"), "36");
  EXPECT_EQ(StateColor("paused"), "33");
  EXPECT_EQ(StateColor("whatever"), "");
}

}  // namespace
}  // namespace jobsched::client
