#include "core/job_limits.hpp"

#include <gtest/gtest.h>

#include "core/job_validation.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

Job JobWith(void (*fill)(JobRequest&)) {
  JobRequest request;
  request.name = "limited";
  fill(request);
  auto job = ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
  EXPECT_TRUE(job.ok()) << job.error().message;
  return job.ok() ? *job : Job{};
}

// Issue #14: `every: "1ms"` was accepted; ten such jobs made 81,000 runs in 8 s.
TEST(CheckJobLimits, RefusesASchedulePeriodBelowTheMinimumNamingFieldAndMinimum) {
  const struct {
    void (*fill)(JobRequest&);
    const char* field;
  } cases[] = {
      {[](JobRequest& r) { r.every = "1ms"; }, "every"},
      {[](JobRequest& r) { r.every = "999ms"; }, "every"},
      {[](JobRequest& r) { r.cron = "*/2 * * * * *"; }, "cron"},
      {[](JobRequest& r) { r.cron = "0,1 * * * * *"; }, "cron"},
  };
  for (const auto& c : cases) {
    const Job job = JobWith(c.fill);

    const auto checked = CheckJobLimits(job, JobLimits{.min_period = 3s});

    ASSERT_FALSE(checked.ok()) << c.field;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(checked.error().field, c.field);
    EXPECT_NE(checked.error().message.find("minimum period is 3s"), std::string::npos) << checked.error().message;
  }
}

TEST(CheckJobLimits, AcceptsSchedulesAtOrAboveTheMinimum) {
  for (auto fill : {+[](JobRequest& r) { r.every = "1s"; }, +[](JobRequest& r) { r.cron = "* * * * * *"; },
                    +[](JobRequest& r) { r.interval = "hourly"; }, +[](JobRequest& r) { r.cron = "*/5 * * * *"; },
                    +[](JobRequest& r) { r.at = "2026-11-27T12:00:00Z"; }}) {
    EXPECT_TRUE(CheckJobLimits(JobWith(fill), JobLimits{.min_period = 1s}).ok());
  }
  EXPECT_FALSE(
      CheckJobLimits(JobWith([](JobRequest& r) { r.cron = "*/5 * * * *"; }), JobLimits{.min_period = 10min}).ok());
}

TEST(CheckJobLimits, RefusesRetriesSoonerThanTheMinimum) {
  Job quick = JobWith([](JobRequest& r) { r.every = "1m"; });
  quick.retry = RetryPolicy{.max_attempts = 3, .initial_delay = 100ms, .max_delay = 1s, .jitter = 0};
  Job jittered = quick;
  jittered.retry = RetryPolicy{.max_attempts = 3, .initial_delay = 1s, .max_delay = 1s, .jitter = 0.5};
  Job no_retries = quick;
  no_retries.retry = RetryPolicy{.max_attempts = 1, .initial_delay = 1ms, .max_delay = 1ms, .jitter = 0};

  const auto too_soon = CheckJobLimits(quick, JobLimits{.min_period = 1s});
  const auto jitter_too_wide = CheckJobLimits(jittered, JobLimits{.min_period = 1s});

  ASSERT_FALSE(too_soon.ok());
  EXPECT_EQ(too_soon.error().field, "retry.initial_delay");
  ASSERT_FALSE(jitter_too_wide.ok());
  EXPECT_EQ(jitter_too_wide.error().field, "retry.jitter");
  EXPECT_NE(jitter_too_wide.error().message.find("500ms"), std::string::npos) << jitter_too_wide.error().message;
  EXPECT_TRUE(CheckJobLimits(no_retries, JobLimits{.min_period = 1s}).ok());
}

TEST(CheckJobLimits, RefusesAJitterThatBringsTwoRunsCloserThanTheMinimum) {
  Job job = JobWith([](JobRequest& r) { r.every = "2s"; });
  job.jitter = 1500ms;
  Job hourly = JobWith([](JobRequest& r) { r.interval = "hourly"; });
  hourly.jitter = 30min;

  const auto checked = CheckJobLimits(job, JobLimits{.min_period = 1s});

  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().field, "jitter");
  EXPECT_NE(checked.error().message.find("500ms apart"), std::string::npos) << checked.error().message;
  EXPECT_TRUE(CheckJobLimits(hourly, JobLimits{.min_period = 1s}).ok());
}

TEST(CheckJobLimits, AZeroMinimumChecksNothing) {
  EXPECT_TRUE(CheckJobLimits(JobWith([](JobRequest& r) { r.every = "1ms"; }), JobLimits{.min_period = 0ms}).ok());
}

}  // namespace
}  // namespace jobsched::core
