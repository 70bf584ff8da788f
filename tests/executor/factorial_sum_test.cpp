#include "executor/compute/factorial_sum.hpp"

#include <gtest/gtest.h>

namespace jobsched::executor::compute {
namespace {

TEST(FactorialSumDecimal, IsExactForSmallN) {
  EXPECT_EQ(FactorialSumDecimal(1, Interrupt::Never()), "1");
  EXPECT_EQ(FactorialSumDecimal(3, Interrupt::Never()), "9");
  EXPECT_EQ(FactorialSumDecimal(10, Interrupt::Never()), "4037913");
}

// Cross-checked with Python: len(str(sum(math.factorial(i) for i in range(1, 1001)))).
TEST(FactorialSumDecimal, HasTheKnownDigitsForOneThousand) {
  const auto decimal = FactorialSumDecimal(1000, Interrupt::Never());

  ASSERT_TRUE(decimal.has_value());
  EXPECT_EQ(decimal->size(), 2568U);
  EXPECT_EQ(decimal->substr(0, 20), "40279005053122345768");
  EXPECT_EQ(Sha256Hex(*decimal).value(), "ecc07c7010116f692d31468e69c2e0f8401b2fc490a81ea2d8e278952ac2987d");
}

TEST(FactorialSumDecimal, StopsWhenInterrupted) {
  std::stop_source stop;
  stop.request_stop();
  const Interrupt interrupt(std::chrono::steady_clock::time_point::max(), stop.get_token(), {});

  EXPECT_EQ(FactorialSumDecimal(20'000, interrupt), std::nullopt);
}

TEST(DescribeFactorialSum, IncludesTheValueWhenShort) {
  EXPECT_EQ(DescribeFactorialSum(10, "4037913").value(),
            R"({"n":10,"digits":7,"leading_digits":"4037913",)"
            R"("sha256":"faf30eb5b50adc3acf97a85388100867d25867dd66c09ff1cb165f7dd1362c45","value":"4037913"})");
}

TEST(DescribeFactorialSum, LeavesOutTheValueWhenLong) {
  const std::string output = DescribeFactorialSum(1000, std::string(101, '7')).value();

  EXPECT_EQ(output.find("\"value\""), std::string::npos);
  EXPECT_NE(output.find(R"("digits":101,"leading_digits":"77777777777777777777")"), std::string::npos);
}

}  // namespace
}  // namespace jobsched::executor::compute
