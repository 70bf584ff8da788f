#include "client/event_stream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/event_follower.hpp"
#include "testing/http_endpoint.hpp"

namespace jobsched::client {
namespace {

using namespace std::string_view_literals;

// Feeds `text` to a parser one piece of `piece` bytes at a time.
std::vector<ServerSentEvent> FeedInPieces(SseParser& parser, std::string_view text, std::size_t piece) {
  std::vector<ServerSentEvent> events;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    for (ServerSentEvent& event : parser.Feed(text.substr(at, piece))) events.push_back(std::move(event));
  }
  return events;
}

constexpr std::string_view kTwoEvents =
    "id: 7\nevent: run.started\ndata: {\"run_id\":42,\"state\":\"running\"}\n\n"
    ": keep-alive\n\n"
    "id: 8\nevent: run.finished\ndata: {\"run_id\":42,\"state\":\"succeeded\"}\n\n";

TEST(SseParser, ReadsIdEventAndDataAndIgnoresKeepAlives) {
  SseParser parser;
  const auto events = parser.Feed(kTwoEvents);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].type, "run.started");
  EXPECT_EQ(events[0].data, R"({"run_id":42,"state":"running"})");
  EXPECT_EQ(events[1].id, "8");
  EXPECT_EQ(events[1].type, "run.finished");
  EXPECT_EQ(parser.last_event_id(), "8");
}

TEST(SseParser, GivesTheSameEventsWhereverTheBytesAreCut) {
  for (std::size_t piece = 1; piece <= 9; ++piece) {
    SseParser parser;
    const auto events = FeedInPieces(parser, kTwoEvents, piece);
    ASSERT_EQ(events.size(), 2U) << piece;
    EXPECT_EQ(events[1].data, R"({"run_id":42,"state":"succeeded"})") << piece;
  }
}

TEST(SseParser, EndsLinesInCrLfLfOrCrEvenWhenACrLfIsCutInTwo) {
  SseParser parser;
  auto events = parser.Feed("event: a\r\ndata: 1\r");
  EXPECT_TRUE(events.empty());
  events = parser.Feed("\n\r\nevent: b\rdata: 2\r\r");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].type, "a");
  EXPECT_EQ(events[0].data, "1");
  EXPECT_EQ(events[1].type, "b");
  EXPECT_EQ(events[1].data, "2");
}

TEST(SseParser, JoinsDataLinesAndDropsOneSpaceAfterTheColon) {
  SseParser parser;
  const auto events = parser.Feed("data:first\ndata:  second\ndata\n\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, "message");
  EXPECT_EQ(events[0].data, "first\n second\n");
}

TEST(SseParser, AnEventWithoutDataIsNoneButItsIdStays) {
  SseParser parser("3");
  EXPECT_EQ(parser.last_event_id(), "3");
  EXPECT_TRUE(parser.Feed("id: 5\nevent: nothing\n\n").empty());
  EXPECT_EQ(parser.last_event_id(), "5");
  const auto events = parser.Feed("data: {}\n\n");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, "message");  // the type of the event without data went with it
  EXPECT_EQ(events[0].id, "5");
}

TEST(SseParser, IgnoresUnknownFieldsRetryAnIdWithNulAndALeadingByteOrderMark) {
  SseParser parser;
  const auto events = FeedInPieces(parser, "\xEF\xBB\xBFid: 1\nretry: 10\nfoo: bar\nid: 2\0x\ndata: {}\n\n"sv, 2);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].id, "1");
  EXPECT_EQ(events[0].data, "{}");
}

TEST(SseParser, KeepsAnUnfinishedEventUntilItsBlankLine) {
  SseParser parser;
  EXPECT_TRUE(parser.Feed("event: run.queued\ndata: {}\n").empty());
  EXPECT_EQ(parser.Feed("\n").size(), 1U);
}

// EventStream over real HTTP: the endpoint answers the whole stream at once
// and closes the connection, as a node going away would.
TEST(EventStream, SendsTheTokenAndLastEventIdAndReadsEventsUntilTheStreamEnds) {
  testing::HttpEndpoint endpoint;
  testing::EndpointResponse response = testing::Answer(200, std::string(kTwoEvents));
  response.headers = {{"Content-Type", "text/event-stream; charset=utf-8"}};
  endpoint.SetResponse(response);
  ConnectionSettings settings;
  settings.server = "http://127.0.0.1:" + std::to_string(endpoint.port());
  settings.token = "jsk_secret";

  auto stream = EventStream::Open(settings, "6");
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  std::vector<ServerSentEvent> events;
  for (int reads = 0; reads < 50; ++reads) {
    auto arrived = stream->Next(std::chrono::milliseconds{100});
    if (!arrived) break;
    for (ServerSentEvent& event : *arrived) events.push_back(std::move(event));
  }

  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].type, "run.finished");
  EXPECT_EQ(stream->last_event_id(), "8");
  EXPECT_FALSE(stream->Next(std::chrono::milliseconds{10}).ok());  // ended, and says so again
  const auto requests = endpoint.Requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].target, "/events");
  EXPECT_EQ(requests[0].Header("Accept"), "text/event-stream");
  EXPECT_EQ(requests[0].Header("Last-Event-ID"), "6");
  EXPECT_EQ(requests[0].Header("Authorization"), "Bearer jsk_secret");
}

TEST(EventStream, FailsWithTheAnswersErrorOrWhenTheAnswerIsNoEventStream) {
  testing::HttpEndpoint endpoint;
  ConnectionSettings settings;
  settings.server = "http://127.0.0.1:" + std::to_string(endpoint.port());
  endpoint.SetResponse(testing::Answer(404, R"({"detail":"no route"})"));
  auto missing = EventStream::Open(settings, "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(endpoint.Requests()[0].Header("Last-Event-ID"), std::nullopt);

  testing::EndpointResponse html = testing::Answer(200, "<html></html>");
  html.headers = {{"Content-Type", "text/html"}};
  endpoint.SetResponse(html);
  auto not_events = EventStream::Open(settings, "");
  ASSERT_FALSE(not_events.ok());
  EXPECT_EQ(not_events.error().code, core::ErrorCode::kUnavailable);
}

ServerSentEvent Event(std::string type, std::string data) {
  ServerSentEvent event;
  event.type = std::move(type);
  event.data = std::move(data);
  return event;
}

TEST(MeaningFor, ReadsTheRunOnItsOwnEventsAndResetsAndReconnectsOnShutdown) {
  EXPECT_EQ(MeaningFor(Event("run.finished", R"({"run_id":42,"state":"failed"})"), 42), EventMeaning::kReadRun);
  EXPECT_EQ(MeaningFor(Event("run.started", R"({"run_id":43})"), 42), EventMeaning::kNothing);
  EXPECT_EQ(MeaningFor(Event("job.updated", R"({"job_id":42})"), 42), EventMeaning::kNothing);
  EXPECT_EQ(MeaningFor(Event("reset", "{}"), 42), EventMeaning::kReadRun);
  EXPECT_EQ(MeaningFor(Event("shutdown", "{}"), 42), EventMeaning::kReconnect);
  // A run event it cannot read might be about this run.
  EXPECT_EQ(MeaningFor(Event("run.updated", "not json"), 42), EventMeaning::kReadRun);
}

}  // namespace
}  // namespace jobsched::client
