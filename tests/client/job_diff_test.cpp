#include "client/job_diff.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

json::object Object(const char* text) { return json::parse(text).as_object(); }

TEST(FullPatch, SetsWhatTheFileGivesAndDefaultsWhatItLeavesOut) {
  const json::object desired = Object(R"({"name":"report","namespace":"team-a","cron":"0 9 * * *"})");

  const json::object patch = FullPatch(desired);

  EXPECT_EQ(patch, Object(R"({"name":"report","cron":"0 9 * * *","timezone":"UTC","start_at":null,"end_at":null,)"
                          R"("task":null,"timeout":"1m","retry":null,"misfire":"run_once","catchup_window":"1h",)"
                          R"("overlap":"skip","jitter":"0s","labels":null})"));
}

TEST(FullPatch, GivesTheFilesLabelsWholeAndNoneWithoutThem) {
  const json::object patch = FullPatch(Object(R"({"name":"r","every":"15m","labels":{"team":"payments"}})"));

  EXPECT_EQ(patch.at("labels"), json::parse(R"({"team":"payments"})"));
  EXPECT_EQ(MinimalPatch(patch, {"labels"}), Object(R"({"labels":{"team":"payments"}})"));
}

TEST(FullPatch, LeavesIsActiveAloneUnlessTheFileSaysAndKeepsGivenValues) {
  const json::object desired =
      Object(R"({"name":"r","every":"15m","timeout":"5m","is_active":false,"task":{"type":"noop"}})");

  const json::object patch = FullPatch(desired);

  EXPECT_EQ(patch.at("is_active"), false);
  EXPECT_EQ(patch.at("timeout"), "5m");
  EXPECT_EQ(patch.at("task"), json::parse(R"({"type":"noop"})"));
  EXPECT_FALSE(patch.contains("timezone"));
  EXPECT_FALSE(FullPatch(Object(R"({"name":"r","every":"15m"})")).contains("is_active"));
}

TEST(MinimalPatch, SendsOnlyWhatChangedAndAScheduleWhole) {
  const json::object full = FullPatch(Object(R"({"name":"r","cron":"0 9 * * *","timezone":"Europe/Berlin"})"));

  EXPECT_EQ(MinimalPatch(full, {"timeout"}), Object(R"({"timeout":"1m"})"));
  EXPECT_EQ(MinimalPatch(full, {"timezone"}),
            Object(R"({"cron":"0 9 * * *","timezone":"Europe/Berlin","start_at":null,"end_at":null})"));
  EXPECT_TRUE(MinimalPatch(full, {}).empty());
}

TEST(DescribeChanges, ShowsEachMemberBeforeAndAfterAndNotesAChangedSecret) {
  const json::object before = Object(R"({"every":"15m","task":{"h":"REDACTED"},"next_run":"2026-11-27T10:15:00Z"})");
  const json::object after = Object(R"({"every":"5m","task":{"h":"REDACTED"},"next_run":"2026-11-27T10:05:00Z"})");

  EXPECT_EQ(DescribeChanges(before, after, {"every", "task", "next_run"}, "  "),
            "  every: 15m -> 5m\n"
            "  task: {\"h\":\"REDACTED\"} -> {\"h\":\"REDACTED\"}  (a secret changed)\n"
            "  next_run: 2026-11-27T10:15:00Z -> 2026-11-27T10:05:00Z\n");
}

TEST(DescribeDryRun, SaysWhatWouldBeDoneAndWhatWouldChange) {
  const json::object dry_run =
      Object(R"({"dry_run":true,"action":"pause","job":{"id":3,"name":"r","namespace":"default","is_active":false,)"
             R"("next_run":null},"current":{"id":3,"name":"r","namespace":"default","is_active":true,)"
             R"("next_run":"2026-11-28T10:00:00Z"},"changed":["is_active","next_run"]})");

  EXPECT_EQ(DescribeDryRun(dry_run, TableStyle{}),
            "dry run: would pause job 3 (default/r); nothing was changed\n"
            "  is_active: true -> false\n"
            "  next_run: 2026-11-28T10:00:00Z -> -\n");
}

}  // namespace
}  // namespace jobsched::client
