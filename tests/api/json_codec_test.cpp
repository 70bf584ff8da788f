#include "api/json_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/job_validation.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;

TEST(DecodeJobRequest, AcceptsTheOriginalServicesBody) {
  auto request = DecodeJobRequest(R"({"name": "Number Crunching", "interval": "weekly"})");

  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->name, "Number Crunching");
  EXPECT_EQ(request->interval, "weekly");
  EXPECT_FALSE(request->every.has_value());
  EXPECT_FALSE(request->task.has_value());
}

TEST(DecodeJobRequest, HonoursIsActiveAndIgnoresReadOnlyFields) {
  auto request = DecodeJobRequest(
      R"({"name": "n", "interval": "daily", "is_active": false, "last_run": null, "next_run": "2026-01-01T00:00:00Z"})");

  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->is_active, false);
}

TEST(DecodeJobRequest, DecodesTheTask) {
  auto request = DecodeJobRequest(
      R"({"name": "n", "every": "5m", "task": {"type": "compute", "function": "prime_count", "n": 1000}})");

  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(request->task.has_value());
  EXPECT_EQ(*request->task, core::Task{(core::ComputeTask{core::ComputeKind::kPrimeCount, 1000})});
}

TEST(DecodeJobRequest, ReportsTaskErrorsWithTheirPath) {
  auto request = DecodeJobRequest(R"({"name": "n", "every": "5m", "task": {"type": "http", "url": "ftp://x"}})");

  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().field, "task.url");
}

struct BadBody {
  const char* body;
  const char* field;
};

void PrintTo(const BadBody& bad, std::ostream* out) { *out << bad.body; }

class DecodeJobRequestRejects : public ::testing::TestWithParam<BadBody> {};

TEST_P(DecodeJobRequestRejects, NamingTheField) {
  auto request = DecodeJobRequest(GetParam().body);

  ASSERT_FALSE(request.ok()) << GetParam().body;
  EXPECT_EQ(request.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(request.error().field, GetParam().field) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    BadBodies, DecodeJobRequestRejects,
    ::testing::Values(BadBody{"", "body"}, BadBody{"{", "body"}, BadBody{"[]", "body"}, BadBody{"\"x\"", "body"},
                      BadBody{R"({"name": 5, "interval": "weekly"})", "name"},
                      BadBody{R"({"name": "n", "interval": ["weekly"]})", "interval"},
                      BadBody{R"({"name": "n", "every": 5})", "every"},
                      BadBody{R"({"name": "n", "interval": "weekly", "is_active": "yes"})", "is_active"},
                      BadBody{R"({"name": "n", "interval": "weekly", "task": "email"})", "task"},
                      BadBody{R"({"name": "n", "intervall": "weekly"})", "intervall"},
                      BadBody{R"({"name": "n", "interval": "weekly", "next_run": 5})", "next_run"}));

TEST(DecodeJobRequest, SuggestsTheFieldATypoMeant) {
  auto request = DecodeJobRequest(R"({"name": "n", "intervall": "weekly"})");

  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().message.find("did you mean 'interval'"), std::string::npos);
}

TEST(DecodeJobRequest, RefusesOversizedTasks) {
  const std::string body = R"({"name": "n", "every": "5m", "task": {"blob": ")" + std::string(70'000, 'x') + "\"}}";

  auto request = DecodeJobRequest(body);

  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().field, "task");
}

TEST(EncodeJob, WritesEveryFieldTheOriginalClientsRead) {
  core::JobRequest request;
  request.name = "Say \"hi\"";
  request.interval = "weekly";
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  ASSERT_TRUE(job.ok());
  job->id = 7;

  const auto encoded = boost::json::parse(EncodeJob(*job)).as_object();

  EXPECT_EQ(encoded.at("id").as_int64(), 7);
  EXPECT_EQ(encoded.at("name").as_string(), "Say \"hi\"");
  EXPECT_EQ(encoded.at("interval").as_string(), "weekly");
  EXPECT_TRUE(encoded.at("last_run").is_null());
  EXPECT_EQ(encoded.at("next_run").as_string(), "2026-11-30T10:00:00Z");
  EXPECT_EQ(encoded.at("is_active").as_bool(), true);
  EXPECT_TRUE(encoded.at("task").is_null());
  EXPECT_EQ(encoded.at("created_at").as_string(), "2026-11-27T09:47:00Z");
  EXPECT_EQ(encoded.at("version").as_int64(), 1);
  EXPECT_FALSE(encoded.contains("every"));
}

TEST(EncodeJob, ShowsEveryAndANullIntervalForDurationSchedules) {
  core::JobRequest request;
  request.name = "poll";
  request.every = "90m";
  request.task = core::Task{core::NoopTask{}};
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  ASSERT_TRUE(job.ok());

  const auto encoded = boost::json::parse(EncodeJob(*job)).as_object();

  EXPECT_TRUE(encoded.at("interval").is_null());
  EXPECT_EQ(encoded.at("every").as_string(), "1h30m");
  EXPECT_EQ(encoded.at("task").as_object().at("type").as_string(), "noop");
}

TEST(EncodeJobs, WritesAJsonArray) {
  EXPECT_EQ(EncodeJobs({}), "[]");
  core::Job job;
  job.name = "a";
  EXPECT_EQ(boost::json::parse(EncodeJobs({job, job})).as_array().size(), 2u);
}

}  // namespace
}  // namespace jobsched::api
