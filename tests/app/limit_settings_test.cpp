#include "app/limit_settings.hpp"

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

using namespace std::chrono_literals;

TEST(ReadLimitSettings, TheDefaultsFitTogether) {
  auto limits = ReadLimitSettings(Config{});

  ASSERT_TRUE(limits.ok()) << limits.error().message;
  EXPECT_EQ(limits->job.min_period, 1s);
  EXPECT_EQ(limits->firing.min_period, 1s);
  EXPECT_EQ(limits->firing.max_runs, 120u);
  EXPECT_EQ(limits->store.max_jobs_per_namespace, 10000u);
  EXPECT_EQ(limits->store.max_runs_per_job_per_minute, 120u);
}

TEST(ReadLimitSettings, RefusesAMinimumPeriodThatLetsAScheduleExceedTheRunQuota) {
  Config config;
  config.min_period = std::chrono::milliseconds{100};

  auto limits = ReadLimitSettings(config);

  ASSERT_FALSE(limits.ok());
  EXPECT_EQ(limits.error().field, "min_period");
  EXPECT_NE(limits.error().message.find("at least 500ms"), std::string::npos) << limits.error().message;
}

TEST(ReadLimitSettings, NoMinimumTakesNoRunQuotaAndTheReverse) {
  Config off;
  off.min_period = std::chrono::milliseconds{0};
  off.max_runs_per_job_per_minute = 0;
  Config quota_without_minimum = off;
  quota_without_minimum.max_runs_per_job_per_minute = 120;

  auto none = ReadLimitSettings(off);

  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->job.min_period, 0ms);
  EXPECT_EQ(none->firing.max_runs, core::kMaxOccurrencesPerFiring);
  EXPECT_FALSE(ReadLimitSettings(quota_without_minimum).ok());
}

}  // namespace
}  // namespace jobsched::app
