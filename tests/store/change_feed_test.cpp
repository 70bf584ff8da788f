#include "store/change_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/postgres/pg_change_feed.hpp"
#include "store/postgres/pg_events.hpp"

namespace jobsched::store {
namespace {

TEST(ChangeFanOut, EverySubscriberHearsEveryChangeInOrder) {
  ChangeFanOut fan_out;
  std::vector<int> heard;
  auto first = fan_out.Subscribe([&heard](const StoreChange&) { heard.push_back(1); });
  auto second = fan_out.Subscribe([&heard](const StoreChange&) { heard.push_back(2); });

  fan_out.Publish(StoreChange::RunsQueued());

  EXPECT_EQ(heard, (std::vector<int>{1, 2}));
}

TEST(ChangeFanOut, AnEndedSubscriptionHearsNothingMore) {
  ChangeFanOut fan_out;
  int heard = 0;
  auto subscription = fan_out.Subscribe([&heard](const StoreChange&) { ++heard; });
  fan_out.Publish(StoreChange::Resync());

  subscription.reset();
  fan_out.Publish(StoreChange::Resync());

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
  std::thread publisher([&fan_out] { fan_out.Publish(StoreChange::Resync()); });
  while (!in_handler) std::this_thread::yield();

  std::thread ender([&] { subscription.reset(); });
  release = true;
  ender.join();

  EXPECT_TRUE(handler_done);
  publisher.join();
}

TEST(DecodeNotification, ReadsTheNextRunOfAScheduledJob) {
  const auto changes = postgres::DecodeNotification({std::string(postgres::kJobsChannel), "1764237600000"});

  ASSERT_EQ(changes.size(), 1u);
  const StoreChange* change = &changes.front();
  EXPECT_EQ(change->kind, StoreChange::Kind::kJobScheduled);
  EXPECT_EQ(core::ToUnixMs(change->next_run), 1764237600000);
}

TEST(DecodeNotification, RunsQueuedNeedNoPayload) {
  const auto changes = postgres::DecodeNotification({std::string(postgres::kRunsChannel), ""});

  ASSERT_EQ(changes.size(), 1u);
  const StoreChange* change = &changes.front();
  EXPECT_EQ(change->kind, StoreChange::Kind::kRunsQueued);
}

TEST(DecodeNotification, IgnoresOtherChannelsAndPayloadsThatAreNotTimes) {
  EXPECT_TRUE(postgres::DecodeNotification({"elsewhere", "1"}).empty());
  EXPECT_TRUE(postgres::DecodeNotification({std::string(postgres::kJobsChannel), "soon"}).empty());
  EXPECT_TRUE(postgres::DecodeNotification({std::string(postgres::kJobsChannel), "12x"}).empty());
  EXPECT_TRUE(postgres::DecodeNotification({std::string(postgres::kJobsChannel), ""}).empty());
}

TEST(PgEvents, JobAndRunEventsSurviveTheTripThroughANotification) {
  const std::vector<StoreChange> sent{StoreChange::Job(StoreChange::Action::kCreated, 7, "team-a"),
                                      StoreChange::Run(StoreChange::Action::kFinished, 42, 7, "timed_out"),
                                      StoreChange::Job(StoreChange::Action::kDeleted, 8, "default")};

  const std::vector<std::string> payloads = postgres::EncodeEvents(sent);
  ASSERT_EQ(payloads.size(), 1u);
  const auto received = postgres::DecodeNotification({std::string(postgres::kEventsChannel), payloads[0]});

  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].kind, StoreChange::Kind::kJob);
  EXPECT_EQ(received[0].action, StoreChange::Action::kCreated);
  EXPECT_EQ(received[0].job_id, 7);
  EXPECT_EQ(received[0].namespace_name, "team-a");
  EXPECT_EQ(received[1].kind, StoreChange::Kind::kRun);
  EXPECT_EQ(received[1].action, StoreChange::Action::kFinished);
  EXPECT_EQ(received[1].run_id, 42);
  EXPECT_EQ(received[1].job_id, 7);
  EXPECT_EQ(received[1].state, "timed_out");
  EXPECT_EQ(received[2].action, StoreChange::Action::kDeleted);
}

TEST(PgEvents, ManyEventsAreSplitIntoPayloadsPostgreSqlAccepts) {
  std::vector<StoreChange> sent;
  for (int i = 0; i < 2000; ++i)
    sent.push_back(StoreChange::Run(StoreChange::Action::kQueued, 100000 + i, 5, "queued"));

  const std::vector<std::string> payloads = postgres::EncodeEvents(sent);

  std::size_t received = 0;
  for (const std::string& payload : payloads) {
    EXPECT_LT(payload.size(), 8000u);
    received += postgres::DecodeEvents(payload).size();
  }
  EXPECT_GT(payloads.size(), 1u);
  EXPECT_EQ(received, sent.size());
}

TEST(PgEvents, WhatCannotBeReadIsSkipped) {
  const auto received = postgres::DecodeEvents("Jc,1,a;Xq,1;Rq,x,2,queued;Jz,3,b;Rs,5,6,running");

  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].job_id, 1);
  EXPECT_EQ(received[1].run_id, 5);
}

}  // namespace
}  // namespace jobsched::store
