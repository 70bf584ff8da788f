#include "api/bulk_request.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/json/parse.hpp>

#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;

boost::json::object Body(const char* text) { return boost::json::parse(text).as_object(); }

TEST(BulkRequest, ReadsIdsOnceEachInTheOrderGiven) {
  auto request = DecodeJobBulk(Body(R"({"action": "trigger", "ids": [7, 3, 7], "dry_run": true})"));

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->action, store::JobAction::kTrigger);
  EXPECT_EQ(request->ids, (std::vector<core::JobId>{7, 3}));
  EXPECT_FALSE(request->filter.has_value());
  EXPECT_TRUE(request->dry_run);
}

TEST(BulkRequest, ReadsAJobFilterAsGetJobsWould) {
  auto request = DecodeJobBulk(Body(
      R"({"action": "resume", "filter": {"q": "nightly", "is_active": false, "type": "http", "namespace": "team-a",
          "last_outcome": "failed", "name": "n"}})"));

  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_TRUE(request->filter.has_value());
  const JobFilter& filter = *request->filter;
  EXPECT_EQ(filter.search, "nightly");
  EXPECT_EQ(filter.is_active, false);
  EXPECT_EQ(filter.type, "http");
  EXPECT_EQ(filter.job_namespace, "team-a");
  EXPECT_EQ(filter.last_outcome, "failed");
  EXPECT_EQ(filter.name, "n");
}

TEST(BulkRequest, ReadsARunFilterAsGetRunsWould) {
  auto request = DecodeRunBulk(Body(
      R"({"action": "cancel", "filter": {"state": "queued", "job_id": 4, "trigger": "manual",
          "scheduled_from": "2026-11-27T00:00:00Z", "scheduled_until": "2026-11-28T00:00:00Z"}})"));

  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_TRUE(request->filter.has_value());
  EXPECT_EQ(request->filter->state, core::RunState::kQueued);
  EXPECT_EQ(request->filter->job_id, 4);
  EXPECT_EQ(request->filter->trigger, core::RunTrigger::kManual);
  EXPECT_EQ(request->filter->scheduled_from, At("2026-11-27T00:00:00Z"));
  EXPECT_EQ(request->filter->scheduled_until, At("2026-11-28T00:00:00Z"));
}

TEST(BulkRequest, RefusesNamingTheField) {
  const struct {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"ids": [1]})", "action"},
      {R"({"action": "stop", "ids": [1]})", "action"},
      {R"({"action": "pause"})", "ids"},
      {R"({"action": "pause", "ids": [1], "filter": {}})", "ids"},
      {R"({"action": "pause", "ids": []})", "ids"},
      {R"({"action": "pause", "ids": [-1]})", "ids"},
      {R"({"action": "pause", "ids": [1], "limit": 5})", "limit"},
      {R"({"action": "pause", "filter": {"type": "nope"}})", "filter.type"},
      {R"({"action": "pause", "filter": {"q": 5}})", "filter.q"},
      {R"({"action": "pause", "filter": {"cursor": "x"}})", "filter.cursor"},
  };
  for (const auto& bad : cases) {
    auto request = DecodeJobBulk(Body(bad.body));

    ASSERT_FALSE(request.ok()) << bad.body;
    EXPECT_EQ(request.error().field, bad.field) << bad.body;
    EXPECT_EQ(request.error().code, core::ErrorCode::kInvalidArgument) << bad.body;
  }
  EXPECT_EQ(DecodeRunBulk(Body(R"({"action": "cancel", "filter": {"state": "x"}})")).error().field, "filter.state");
}

TEST(BulkRequest, AFilterErrorMessageNamesTheFilterMember) {
  auto request = DecodeJobBulk(Body(R"({"action": "pause", "filter": {"last_outcome": "great"}})"));

  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().message.rfind("filter.last_outcome: must be", 0), 0u) << request.error().message;
}

TEST(BulkRequest, EncodesTheOutcomeWithItsCounts) {
  store::BulkOutcome outcome;
  outcome.changed = {1, 2};
  outcome.unchanged = {3};
  outcome.failed.push_back({4, core::Error::NotFound("job 4 does not exist")});

  EXPECT_EQ(EncodeBulkOutcome(outcome),
            R"({"matched":4,"changed":2,"unchanged":1,"failed":[{"id":4,"detail":"job 4 does not exist"}]})");
}

}  // namespace
}  // namespace jobsched::api
