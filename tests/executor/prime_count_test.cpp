#include "executor/compute/prime_count.hpp"

#include <gtest/gtest.h>

namespace jobsched::executor::compute {
namespace {

struct KnownCount {
  std::int64_t n;
  std::int64_t primes;
};

void PrintTo(const KnownCount& known, std::ostream* out) { *out << "pi(" << known.n << ")"; }

class CountPrimesTest : public ::testing::TestWithParam<KnownCount> {};

TEST_P(CountPrimesTest, MatchesTheKnownValue) {
  EXPECT_EQ(CountPrimes(GetParam().n, Interrupt::Never()), GetParam().primes);
}

INSTANTIATE_TEST_SUITE_P(SmallAndSegmentBoundaries, CountPrimesTest,
                         ::testing::Values(KnownCount{0, 0}, KnownCount{1, 0}, KnownCount{2, 1}, KnownCount{3, 2},
                                           KnownCount{4, 2}, KnownCount{9, 4}, KnownCount{10, 4}, KnownCount{25, 9},
                                           KnownCount{97, 25}, KnownCount{100, 25}, KnownCount{1'000, 168},
                                           KnownCount{524'286, 43'389}, KnownCount{524'287, 43'390},
                                           KnownCount{524'291, 43'390}, KnownCount{1'048'576, 82'025},
                                           KnownCount{1'000'000, 78'498}, KnownCount{10'000'000, 664'579},
                                           KnownCount{100'000'000, 5'761'455}));

TEST(CountPrimes, StopsAtTheDeadline) {
  const Interrupt already_late(std::chrono::steady_clock::now(), {}, {});

  EXPECT_EQ(CountPrimes(2'000'000'000, already_late), std::nullopt);
}

}  // namespace
}  // namespace jobsched::executor::compute
