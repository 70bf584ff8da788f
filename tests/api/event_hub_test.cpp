#include "api/event_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace jobsched::api {
namespace {

Caller AdminCaller() { return Caller{}; }

Caller NamespaceCaller(std::string home) {
  Caller caller;
  caller.key_name = "reader";
  caller.home_namespace = std::move(home);
  caller.all_namespaces = false;
  caller.admin = false;
  return caller;
}

std::string ReadAll(ResponseStream& stream, bool* open = nullptr) {
  std::string out;
  const bool still_open = stream.Read(out);
  if (open != nullptr) *open = still_open;
  return out;
}

TEST(EventHub, SendsEachEventAsServerSentEventsWithIncreasingIds) {
  EventHub hub({.first_id = 41});
  auto stream = hub.Subscribe(AdminCaller(), std::nullopt);

  hub.Publish("job.created", "default", R"({"job_id":1})");
  hub.Publish("run.queued", "default", R"({"run_id":2})");

  EXPECT_EQ(ReadAll(*stream),
            "id: 41\nevent: job.created\ndata: {\"job_id\":1}\n\n"
            "id: 42\nevent: run.queued\ndata: {\"run_id\":2}\n\n");
  EXPECT_EQ(ReadAll(*stream), "");
}

TEST(EventHub, ACallerSeesOnlyItsOwnNamespace) {
  EventHub hub;
  auto team_a = hub.Subscribe(NamespaceCaller("team-a"), std::nullopt);
  auto admin = hub.Subscribe(AdminCaller(), std::nullopt);

  hub.Publish("job.created", "team-b", "{}");
  hub.Publish("job.created", "team-a", "{}");

  const std::string seen = ReadAll(*team_a);
  EXPECT_EQ(seen.find("id: 1\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("id: 2\n"), std::string::npos) << seen;
  const std::string all = ReadAll(*admin);
  EXPECT_NE(all.find("id: 1\n"), std::string::npos);
  EXPECT_NE(all.find("id: 2\n"), std::string::npos);
}

TEST(EventHub, SomeEventsGoToEveryNamespace) {
  EventHub hub;
  auto team_a = hub.Subscribe(NamespaceCaller("team-a"), std::nullopt);

  hub.PublishToAll("reset", "{}");

  EXPECT_NE(ReadAll(*team_a).find("event: reset\n"), std::string::npos);
}

TEST(EventHub, NewEventsWakeTheStream) {
  EventHub hub;
  auto stream = hub.Subscribe(AdminCaller(), std::nullopt);
  int wakes = 0;
  stream->SetWake([&wakes] { ++wakes; });

  hub.Publish("job.updated", "default", "{}");

  EXPECT_EQ(wakes, 1);
}

TEST(EventHub, AReconnectingClientGetsWhatItMissedIfStillHeld) {
  EventHub hub({.replay_events = 3});
  for (int i = 0; i < 4; ++i) hub.Publish("job.updated", "default", "{}");  // ids 1-4; 2-4 held

  auto resumed = hub.Subscribe(AdminCaller(), 2);
  const std::string replay = ReadAll(*resumed);
  auto current = hub.Subscribe(AdminCaller(), 4);

  EXPECT_EQ(replay.find("id: 2\n"), std::string::npos) << replay;
  EXPECT_NE(replay.find("id: 3\n"), std::string::npos) << replay;
  EXPECT_NE(replay.find("id: 4\n"), std::string::npos) << replay;
  EXPECT_EQ(ReadAll(*current), "");
}

TEST(EventHub, AClientThatMissedMoreThanIsHeldIsToldToStartOver) {
  EventHub hub({.replay_events = 2});
  for (int i = 0; i < 5; ++i) hub.Publish("job.updated", "default", "{}");

  auto too_old = hub.Subscribe(AdminCaller(), 1);
  auto from_elsewhere = hub.Subscribe(AdminCaller(), 999);

  EXPECT_NE(ReadAll(*too_old).find("event: reset\n"), std::string::npos);
  EXPECT_NE(ReadAll(*from_elsewhere).find("event: reset\n"), std::string::npos);
}

TEST(EventHub, ASubscriberThatStopsReadingIsDroppedAndItsMemoryFreed) {
  EventHub hub({.subscriber_buffer_bytes = 1024});
  auto slow = hub.Subscribe(AdminCaller(), std::nullopt);
  auto reader = hub.Subscribe(AdminCaller(), std::nullopt);
  const std::string payload(100, 'x');

  for (int i = 0; i < 50; ++i) {
    hub.Publish("run.finished", "default", payload);
    ReadAll(*reader);
  }

  bool open = true;
  EXPECT_EQ(ReadAll(*slow, &open), "");
  EXPECT_FALSE(open) << "the slow stream should have ended";
  EXPECT_EQ(hub.dropped_count(), 1u);
  bool reader_open = false;
  ReadAll(*reader, &reader_open);
  EXPECT_TRUE(reader_open);
}

TEST(EventHub, ShutdownEndsEveryStreamWithAShutdownEvent) {
  EventHub hub;
  auto stream = hub.Subscribe(AdminCaller(), std::nullopt);

  hub.Shutdown();

  bool open = true;
  EXPECT_NE(ReadAll(*stream, &open).find("event: shutdown\n"), std::string::npos);
  EXPECT_FALSE(open);
  bool late_open = true;
  auto late = hub.Subscribe(AdminCaller(), std::nullopt);
  EXPECT_NE(ReadAll(*late, &late_open).find("event: shutdown\n"), std::string::npos);
  EXPECT_FALSE(late_open);
}

TEST(EventHub, AClosedOrDestroyedStreamLeavesTheHub) {
  EventHub hub;
  auto closed = hub.Subscribe(AdminCaller(), std::nullopt);
  auto destroyed = hub.Subscribe(AdminCaller(), std::nullopt);
  ASSERT_EQ(hub.subscriber_count(), 2u);

  closed->Close();
  destroyed.reset();

  EXPECT_EQ(hub.subscriber_count(), 0u);
  hub.Publish("job.created", "default", "{}");  // nothing left to deliver to
}

TEST(EventHub, PublishersAndAReaderOnSeveralThreadsLoseNothing) {
  EventHub hub({.subscriber_buffer_bytes = 64 * 1024 * 1024});
  auto stream = hub.Subscribe(AdminCaller(), std::nullopt);
  std::atomic<int> publishing{4};
  std::string received;
  std::thread reader([&] {
    while (publishing > 0) received += ReadAll(*stream);
    received += ReadAll(*stream);
  });
  std::vector<std::thread> publishers;
  for (int t = 0; t < 4; ++t) {
    publishers.emplace_back([&hub, &publishing] {
      for (int i = 0; i < 500; ++i) hub.Publish("run.finished", "default", "{}");
      --publishing;
    });
  }

  for (auto& publisher : publishers) publisher.join();
  reader.join();

  std::set<std::string> ids;
  for (std::size_t at = received.find("id: "); at != std::string::npos; at = received.find("id: ", at + 1)) {
    ids.insert(received.substr(at, received.find('\n', at) - at));
  }
  EXPECT_EQ(ids.size(), 2000u);
}

}  // namespace
}  // namespace jobsched::api
