#include "executor/compute/monte_carlo_pi.hpp"

#include <gtest/gtest.h>

#include <numbers>

namespace jobsched::executor::compute {
namespace {

TEST(EstimatePi, LandsWithinOneHundredthOfPiWithAMillionSamples) {
  const auto estimate = EstimatePi(1'000'000, 42, Interrupt::Never());

  ASSERT_TRUE(estimate.has_value());
  EXPECT_EQ(estimate->samples, 1'000'000);
  EXPECT_NEAR(estimate->estimate, std::numbers::pi, 0.01);
}

TEST(EstimatePi, GivesTheSameEstimateForTheSameSeed) {
  const auto first = EstimatePi(100'000, 7, Interrupt::Never());
  const auto second = EstimatePi(100'000, 7, Interrupt::Never());
  const auto other = EstimatePi(100'000, 8, Interrupt::Never());

  EXPECT_EQ(first->inside, second->inside);
  EXPECT_NE(first->inside, other->inside);
}

TEST(EstimatePi, StopsWhenInterrupted) {
  const Interrupt already_late(std::chrono::steady_clock::now(), {}, {});

  EXPECT_EQ(EstimatePi(1'000'000'000, 1, already_late), std::nullopt);
}

TEST(DescribePiEstimate, WritesOneLineOfJson) {
  EXPECT_EQ(DescribePiEstimate(PiEstimate{4, 3, 3.0}, 9),
            R"({"samples":4,"inside":3,"estimate":3.0000000000,"seed":9})");
}

}  // namespace
}  // namespace jobsched::executor::compute
