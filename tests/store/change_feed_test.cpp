#include "store/change_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/postgres/pg_change_feed.hpp"

namespace jobsched::store {
namespace {

TEST(ChangeFanOut, EverySubscriberHearsEveryChangeInOrder) {
  ChangeFanOut fan_out;
  std::vector<int> heard;
  auto first = fan_out.Subscribe([&heard](const StoreChange&) { heard.push_back(1); });
  auto second = fan_out.Subscribe([&heard](const StoreChange&) { heard.push_back(2); });

  fan_out.Publish(StoreChange{StoreChange::Kind::kRunsQueued});

  EXPECT_EQ(heard, (std::vector<int>{1, 2}));
}

TEST(ChangeFanOut, AnEndedSubscriptionHearsNothingMore) {
  ChangeFanOut fan_out;
  int heard = 0;
  auto subscription = fan_out.Subscribe([&heard](const StoreChange&) { ++heard; });
  fan_out.Publish(StoreChange{});

  subscription.reset();
  fan_out.Publish(StoreChange{});

  EXPECT_EQ(heard, 1);
  EXPECT_FALSE(fan_out.HasSubscribers());
}

TEST(ChangeFanOut, EndingASubscriptionWaitsForItsHandlerToReturn) {
  ChangeFanOut fan_out;
  std::atomic<bool> in_handler{false};
  std::atomic<bool> release{false};
  std::atomic<bool> handler_done{false};
  auto subscription = fan_out.Subscribe([&](const StoreChange&) {
    in_handler = true;
    while (!release) std::this_thread::yield();
    handler_done = true;
  });
  std::thread publisher([&fan_out] { fan_out.Publish(StoreChange{}); });
  while (!in_handler) std::this_thread::yield();

  std::thread ender([&] { subscription.reset(); });
  release = true;
  ender.join();

  EXPECT_TRUE(handler_done);
  publisher.join();
}

TEST(DecodeNotification, ReadsTheNextRunOfAScheduledJob) {
  const auto change = postgres::DecodeNotification({std::string(postgres::kJobsChannel), "1764237600000"});

  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->kind, StoreChange::Kind::kJobScheduled);
  EXPECT_EQ(core::ToUnixMs(change->next_run), 1764237600000);
}

TEST(DecodeNotification, RunsQueuedNeedNoPayload) {
  const auto change = postgres::DecodeNotification({std::string(postgres::kRunsChannel), ""});

  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->kind, StoreChange::Kind::kRunsQueued);
}

TEST(DecodeNotification, IgnoresOtherChannelsAndPayloadsThatAreNotTimes) {
  EXPECT_FALSE(postgres::DecodeNotification({"elsewhere", "1"}).has_value());
  EXPECT_FALSE(postgres::DecodeNotification({std::string(postgres::kJobsChannel), "soon"}).has_value());
  EXPECT_FALSE(postgres::DecodeNotification({std::string(postgres::kJobsChannel), "12x"}).has_value());
  EXPECT_FALSE(postgres::DecodeNotification({std::string(postgres::kJobsChannel), ""}).has_value());
}

}  // namespace
}  // namespace jobsched::store
