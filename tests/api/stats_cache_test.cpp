#include "api/stats_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "testing/fake_clock.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;
using jobsched::testing::FakeClock;
using std::chrono::milliseconds;
using std::chrono::seconds;

class StatsCacheTest : public ::testing::Test {
 protected:
  // Answers "<key> #<n>" where n counts the computations so far.
  StatsCache::Compute Counting(const std::string& key) {
    return
        [this, key](core::TimePoint) -> core::Result<std::string> { return key + " #" + std::to_string(++computed_); };
  }

  FakeClock clock_{At("2026-12-07T10:00:00Z")};
  StatsCache cache_{clock_, seconds{3}};
  int computed_ = 0;
};

TEST_F(StatsCacheTest, ServesAnAnswerUntilItIsAsOldAsTheCacheTime) {
  EXPECT_EQ(*cache_.Get("1h all", Counting("1h all")), "1h all #1");
  clock_.Advance(milliseconds{2999});
  EXPECT_EQ(*cache_.Get("1h all", Counting("1h all")), "1h all #1");

  clock_.Advance(milliseconds{1});

  EXPECT_EQ(*cache_.Get("1h all", Counting("1h all")), "1h all #2");
}

TEST_F(StatsCacheTest, KeepsEachKeyApart) {
  EXPECT_EQ(*cache_.Get("1h all", Counting("1h all")), "1h all #1");

  EXPECT_EQ(*cache_.Get("24h all", Counting("24h all")), "24h all #2");
  EXPECT_EQ(*cache_.Get("1h namespace=a", Counting("1h namespace=a")), "1h namespace=a #3");
  EXPECT_EQ(*cache_.Get("1h all", Counting("1h all")), "1h all #1");
}

TEST_F(StatsCacheTest, HandsTheClocksNowToTheComputationAndNeverKeepsAnError) {
  std::optional<core::TimePoint> asked_at;
  auto failing = [&asked_at](core::TimePoint now) -> core::Result<std::string> {
    asked_at = now;
    return core::Error::Unavailable("database gone");
  };

  auto first = cache_.Get("7d all", failing);
  auto second = cache_.Get("7d all", Counting("7d all"));

  ASSERT_FALSE(first.ok());
  EXPECT_EQ(asked_at, At("2026-12-07T10:00:00Z"));
  EXPECT_EQ(*second, "7d all #1");
}

TEST_F(StatsCacheTest, KeepsAnAnswerTenTimesAsLongAsItTookWhenThatIsLonger) {
  auto slow = [this](core::TimePoint) -> core::Result<std::string> {
    clock_.Advance(seconds{2});
    return "slow #" + std::to_string(++computed_);
  };
  EXPECT_EQ(*cache_.Get("7d all", slow), "slow #1");  // from 10:00:00, taking 2 s: kept until 10:00:20

  clock_.Advance(seconds{17});
  EXPECT_EQ(*cache_.Get("7d all", slow), "slow #1");
  clock_.Advance(seconds{1});

  EXPECT_EQ(*cache_.Get("7d all", slow), "slow #2");
}

TEST_F(StatsCacheTest, AnswersThePreviousAnswerWhileAnotherCallerComputesTheNext) {
  EXPECT_EQ(*cache_.Get("7d all", Counting("7d all")), "7d all #1");
  clock_.Advance(seconds{3});
  std::promise<void> started;
  std::promise<void> release;
  auto blocked = [&](core::TimePoint) -> core::Result<std::string> {
    started.set_value();
    release.get_future().wait();
    return std::string("7d all #2");
  };
  std::thread computing([&] { EXPECT_EQ(*cache_.Get("7d all", blocked), "7d all #2"); });
  started.get_future().wait();

  const auto meanwhile = cache_.Get("7d all", Counting("7d all"));

  release.set_value();
  computing.join();
  EXPECT_EQ(*meanwhile, "7d all #1");
  EXPECT_EQ(computed_, 1);
  EXPECT_EQ(*cache_.Get("7d all", Counting("7d all")), "7d all #2");
}

TEST_F(StatsCacheTest, CallersOfAKeyWithoutAnAnswerShareTheOneComputed) {
  std::promise<void> started;
  std::promise<void> release;
  auto blocked = [&](core::TimePoint) -> core::Result<std::string> {
    started.set_value();
    release.get_future().wait();
    return std::string("first");
  };
  std::thread computing([&] { EXPECT_EQ(*cache_.Get("1h all", blocked), "first"); });
  started.get_future().wait();
  std::thread waiting([&] { EXPECT_EQ(*cache_.Get("1h all", Counting("1h all")), "first"); });

  release.set_value();
  computing.join();
  waiting.join();

  EXPECT_EQ(computed_, 0);
}

TEST_F(StatsCacheTest, StartsAfreshPastItsKeyLimitAndWhenTheClockGoesBack) {
  StatsCache small(clock_, seconds{3}, 2);
  EXPECT_EQ(*small.Get("a", Counting("a")), "a #1");
  EXPECT_EQ(*small.Get("b", Counting("b")), "b #2");
  EXPECT_EQ(*small.Get("c", Counting("c")), "c #3");  // forgets a and b

  EXPECT_EQ(*small.Get("a", Counting("a")), "a #4");
  clock_.Advance(-seconds{1});
  EXPECT_EQ(*small.Get("a", Counting("a")), "a #5");
}

}  // namespace
}  // namespace jobsched::api
