#include "core/retry_policy.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicy, DoublesTheDelayUpToTheMaximum) {
  const RetryPolicy policy{5, Milliseconds{1s}, Milliseconds{3s}, 0.0};

  EXPECT_EQ(RetryDelay(policy, 2, 0.5), Milliseconds{1s});
  EXPECT_EQ(RetryDelay(policy, 3, 0.5), Milliseconds{2s});
  EXPECT_EQ(RetryDelay(policy, 4, 0.5), Milliseconds{3s});
  EXPECT_EQ(RetryDelay(policy, 5, 0.5), Milliseconds{3s});
}

TEST(RetryPolicy, StopsAfterMaxAttempts) {
  const RetryPolicy policy{3, Milliseconds{1s}, Milliseconds{1min}, 0.0};

  EXPECT_TRUE(RetryDelay(policy, 3, 0.0).has_value());
  EXPECT_EQ(RetryDelay(policy, 4, 0.0), std::nullopt);
  EXPECT_EQ(RetryDelay(RetryPolicy{}, 2, 0.0), std::nullopt);
}

TEST(RetryPolicy, JitterTakesUpToItsFractionOff) {
  const RetryPolicy policy{3, Milliseconds{10s}, Milliseconds{1min}, 0.5};

  EXPECT_EQ(RetryDelay(policy, 2, 0.0), Milliseconds{10s});
  EXPECT_EQ(RetryDelay(policy, 2, 0.5), Milliseconds{7500ms});
  EXPECT_EQ(RetryDelay(policy, 2, 0.999999), Milliseconds{5000ms});
}

TEST(RetryPolicy, ValidationNamesTheField) {
  struct Case {
    RetryPolicy policy;
    const char* field;
  };
  for (const Case& c : {Case{{0, Milliseconds{1s}, Milliseconds{1s}, 0.0}, "retry.max_attempts"},
                        Case{{101, Milliseconds{1s}, Milliseconds{1s}, 0.0}, "retry.max_attempts"},
                        Case{{3, Milliseconds{0}, Milliseconds{1s}, 0.0}, "retry.initial_delay"},
                        Case{{3, Milliseconds{2s}, Milliseconds{1s}, 0.0}, "retry.max_delay"},
                        Case{{3, Milliseconds{1s}, Milliseconds{1s}, 1.5}, "retry.jitter"}}) {
    auto valid = ValidateRetryPolicy(c.policy);

    ASSERT_FALSE(valid.ok()) << c.field;
    EXPECT_EQ(valid.error().field, c.field);
  }
  EXPECT_TRUE(ValidateRetryPolicy(RetryPolicy{}).ok());
}

}  // namespace
}  // namespace jobsched::core
