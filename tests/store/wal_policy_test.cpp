// WalPolicy: when SQLite's writer restarts the WAL, and how long it may wait,
// on a clock the test moves by hand.
#include "store/sqlite/wal_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace jobsched::store::sqlite {
namespace {

using std::chrono::milliseconds;
using TimePoint = WalPolicy::TimePoint;

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

WalLimits Limits() {
  WalLimits limits;
  limits.restart_bytes = 16 * kMiB;
  limits.wait = milliseconds{20};
  limits.urgent_bytes = 96 * kMiB;
  limits.urgent_wait = milliseconds{200};
  limits.retry_after = milliseconds{100};
  limits.max_retry_after = milliseconds{400};
  return limits;
}

class WalPolicyTest : public ::testing::Test {
 protected:
  void Advance(milliseconds by) { now_ += by; }

  WalPolicy policy_{Limits()};
  TimePoint now_{std::chrono::hours{1}};  // any instant: the policy only compares them
};

TEST_F(WalPolicyTest, LeavesAWalUpToTheLimitAlone) {
  EXPECT_EQ(policy_.RestartWait(0, now_), std::nullopt);
  EXPECT_EQ(policy_.RestartWait(16 * kMiB, now_), std::nullopt);
}

TEST_F(WalPolicyTest, RestartsAWalPastTheLimitWithTheShortWait) {
  EXPECT_EQ(policy_.RestartWait(16 * kMiB + 1, now_), milliseconds{20});
}

TEST_F(WalPolicyTest, AfterARefusalWaitsOutTheBackOffBeforeTryingAgain) {
  policy_.Refused(now_);

  Advance(milliseconds{99});
  const auto during = policy_.RestartWait(20 * kMiB, now_);
  Advance(milliseconds{1});
  const auto after = policy_.RestartWait(20 * kMiB, now_);

  EXPECT_EQ(during, std::nullopt);
  EXPECT_EQ(after, milliseconds{20});
}

TEST_F(WalPolicyTest, EachRefusalInARowDoublesTheBackOffUpToItsMaximum) {
  std::vector<milliseconds> back_offs;
  for (int i = 0; i < 5; ++i) {
    policy_.Refused(now_);
    milliseconds waited{0};
    while (!policy_.RestartWait(20 * kMiB, now_)) {
      Advance(milliseconds{10});
      waited += milliseconds{10};
    }
    back_offs.push_back(waited);
  }

  EXPECT_EQ(back_offs, (std::vector<milliseconds>{milliseconds{100}, milliseconds{200}, milliseconds{400},
                                                  milliseconds{400}, milliseconds{400}}));
}

TEST_F(WalPolicyTest, ARestartEndsTheBackOffAndItsDoubling) {
  policy_.Refused(now_);
  policy_.Refused(now_);

  policy_.Restarted();
  const auto at_once = policy_.RestartWait(20 * kMiB, now_);
  policy_.Refused(now_);
  Advance(milliseconds{100});
  const auto after_the_first_back_off = policy_.RestartWait(20 * kMiB, now_);

  EXPECT_EQ(at_once, milliseconds{20});
  EXPECT_EQ(after_the_first_back_off, milliseconds{20});
}

TEST_F(WalPolicyTest, PastTheUrgentSizeWaitsLongerForReaders) {
  EXPECT_EQ(policy_.RestartWait(96 * kMiB + 1, now_), milliseconds{200});
}

TEST_F(WalPolicyTest, PastTheUrgentSizeStillBacksOffSoCommitsGoOnBetweenTries) {
  policy_.Refused(now_);

  Advance(milliseconds{50});
  const auto during = policy_.RestartWait(100 * kMiB, now_);
  Advance(milliseconds{50});
  const auto after = policy_.RestartWait(100 * kMiB, now_);

  EXPECT_EQ(during, std::nullopt);
  EXPECT_EQ(after, milliseconds{200});
}

// What docs/decisions/0006 promises of the defaults: the WAL is restarted
// well inside journal_size_limit and escalates well before 256 MB, and no
// restart holds writes up for more than a quarter of a second.
TEST(WalPolicyDefaults, BoundTheStallAndTheTimeBetweenTries) {
  const WalLimits limits;

  EXPECT_LT(limits.restart_bytes, limits.urgent_bytes);
  EXPECT_LE(limits.urgent_bytes, std::int64_t{128} << 20);  // half the 256 MB bound of issue #13
  EXPECT_LE(limits.restart_bytes, std::int64_t{64} << 20);  // within journal_size_limit
  EXPECT_LE(limits.wait, limits.urgent_wait);
  EXPECT_LE(limits.urgent_wait, milliseconds{250});
  EXPECT_GT(limits.retry_after, milliseconds{0});
  EXPECT_LE(limits.retry_after, limits.max_retry_after);
}

}  // namespace
}  // namespace jobsched::store::sqlite
