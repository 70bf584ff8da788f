#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/fake_clock.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using namespace std::chrono_literals;
using jobsched::testing::At;
using jobsched::testing::FakeClock;

class TokenBucketTest : public ::testing::Test {
 protected:
  FakeClock clock_{At("2026-11-27T10:00:00Z")};
};

TEST_F(TokenBucketTest, LetsTheWholeLimitThroughAtOnceThenRefuses) {
  TokenBucket bucket(5, 60s, clock_.Now());

  for (int i = 0; i < 5; ++i) {
    const auto decision = bucket.Take(clock_.Now());
    EXPECT_TRUE(decision.allowed) << i;
    EXPECT_EQ(decision.limit, 5);
    EXPECT_EQ(decision.remaining, 4 - i);
  }
  const auto refused = bucket.Take(clock_.Now());

  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
}

TEST_F(TokenBucketTest, RefusalSaysWhenTheNextRequestPassesAndWhenTheBucketIsFull) {
  TokenBucket bucket(5, 60s, clock_.Now());
  for (int i = 0; i < 5; ++i) (void)bucket.Take(clock_.Now());

  const auto refused = bucket.Take(clock_.Now());

  // One request refills every 60 s / 5 = 12 s; all five in 60 s.
  EXPECT_EQ(refused.retry_after_s, 12);
  EXPECT_EQ(refused.reset_s, 60);
}

TEST_F(TokenBucketTest, RefillsContinuouslyOverTheWindow) {
  TokenBucket bucket(5, 60s, clock_.Now());
  for (int i = 0; i < 5; ++i) (void)bucket.Take(clock_.Now());

  clock_.Advance(11'999ms);
  EXPECT_FALSE(bucket.Take(clock_.Now()).allowed);
  clock_.Advance(1ms);
  const auto after_one_period = bucket.Take(clock_.Now());

  EXPECT_TRUE(after_one_period.allowed);
  EXPECT_EQ(after_one_period.remaining, 0);
}

TEST_F(TokenBucketTest, IsFullAgainAfterAWindowAndNeverHoldsMoreThanTheLimit) {
  TokenBucket bucket(5, 60s, clock_.Now());
  for (int i = 0; i < 5; ++i) (void)bucket.Take(clock_.Now());

  clock_.Advance(10min);
  EXPECT_TRUE(bucket.FullAt(clock_.Now()));
  const auto decision = bucket.Take(clock_.Now());

  EXPECT_EQ(decision.remaining, 4);
  EXPECT_EQ(decision.reset_s, 12);
}

TEST_F(TokenBucketTest, AClockSteppedBackCountsAsNoTimePassing) {
  TokenBucket bucket(2, 60s, clock_.Now());
  (void)bucket.Take(clock_.Now());
  (void)bucket.Take(clock_.Now());

  clock_.Advance(-1h);
  EXPECT_FALSE(bucket.Take(clock_.Now()).allowed);
  clock_.Advance(1h);

  EXPECT_FALSE(bucket.Take(clock_.Now()).allowed);
}

TEST_F(TokenBucketTest, ANewLimitKeepsWhatIsLeftWithinTheNewCapacity) {
  TokenBucket bucket(10, 60s, clock_.Now());
  (void)bucket.Take(clock_.Now());

  bucket.SetLimit(3);
  const auto decision = bucket.Take(clock_.Now());

  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.limit, 3);
  EXPECT_EQ(decision.remaining, 2);
}

TEST_F(TokenBucketTest, SmallWindowsCountInWholeSecondsRoundedUp) {
  TokenBucket bucket(4, 2s, clock_.Now());
  for (int i = 0; i < 4; ++i) (void)bucket.Take(clock_.Now());

  const auto refused = bucket.Take(clock_.Now());

  EXPECT_EQ(refused.retry_after_s, 1);  // 500 ms, rounded up
  EXPECT_EQ(refused.reset_s, 2);
}

TEST(RateLimiter, CountsEachClientOnItsOwn) {
  FakeClock clock(At("2026-11-27T10:00:00Z"));
  RateLimiter limiter({.default_limit = 2, .window = 60s});

  EXPECT_TRUE(limiter.Take("key:a", 2, clock.Now()).allowed);
  EXPECT_TRUE(limiter.Take("key:a", 2, clock.Now()).allowed);
  EXPECT_FALSE(limiter.Take("key:a", 2, clock.Now()).allowed);

  EXPECT_TRUE(limiter.Take("key:b", 2, clock.Now()).allowed);
}

TEST(RateLimiter, ALimitOfZeroLetsEverythingThroughWithoutHeaders) {
  FakeClock clock(At("2026-11-27T10:00:00Z"));
  RateLimiter limiter({.default_limit = 0, .window = 60s});

  for (int i = 0; i < 100; ++i) {
    const auto decision = limiter.Take("addr:127.0.0.1", 0, clock.Now());
    ASSERT_TRUE(decision.allowed);
    ASSERT_EQ(decision.limit, 0);
  }
  EXPECT_EQ(limiter.BucketCountForTest(), 0u);
}

TEST(RateLimiter, ForgetsBucketsThatFilledUpAgainAsItGrows) {
  FakeClock clock(At("2026-11-27T10:00:00Z"));
  RateLimiter limiter({.default_limit = 10, .window = 60s, .sweep_above = 4, .max_per_shard = 1000});
  for (int i = 0; i < 200; ++i) (void)limiter.Take("addr:10.0.0." + std::to_string(i), 10, clock.Now());
  EXPECT_GE(limiter.BucketCountForTest(), 200u);

  clock.Advance(2min);
  for (int i = 0; i < 200; ++i) (void)limiter.Take("addr:10.0.1." + std::to_string(i), 10, clock.Now());

  EXPECT_LT(limiter.BucketCountForTest(), 300u);
}

TEST(RateLimiter, KeepsAtMostTheBoundPerShardUnderAFloodOfClients) {
  FakeClock clock(At("2026-11-27T10:00:00Z"));
  RateLimiter limiter({.default_limit = 10, .window = 60s, .sweep_above = 8, .max_per_shard = 16});

  for (int i = 0; i < 5000; ++i) (void)limiter.Take("addr:flood-" + std::to_string(i), 10, clock.Now());

  EXPECT_LE(limiter.BucketCountForTest(), 16u * 16u);
}

TEST(RateLimiter, LetsExactlyTheLimitThroughFromManyThreads) {
  FakeClock clock(At("2026-11-27T10:00:00Z"));
  RateLimiter limiter({.default_limit = 1000, .window = 1h});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;

  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.Take("key:shared", 1000, clock.Now()).allowed) ++allowed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(allowed.load(), 1000);
}

TEST(AnonymousClient, CountsIpv4AddressesAndIpv6SlashSixtyFours) {
  EXPECT_EQ(AnonymousClient("192.0.2.7"), "addr:192.0.2.7");
  EXPECT_EQ(AnonymousClient("::ffff:192.0.2.7"), "addr:192.0.2.7");
  EXPECT_EQ(AnonymousClient("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "addr:2001:db8:1:2::/64");
  EXPECT_EQ(AnonymousClient("2001:db8:1:2::1"), AnonymousClient("2001:db8:1:2:ffff::9"));
  EXPECT_EQ(AnonymousClient(""), "addr:unknown");
  EXPECT_EQ(AnonymousClient("not an address"), "addr:unknown");
  EXPECT_EQ(AnonymousClient(std::string(1000, ':')), "addr:unknown");
}

}  // namespace
}  // namespace jobsched::api
