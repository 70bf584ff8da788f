#include "client/event_follower.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include <boost/json/parse.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

std::chrono::milliseconds Milliseconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::ceil<std::chrono::milliseconds>(duration);
}

}  // namespace

EventMeaning MeaningFor(const ServerSentEvent& event, std::int64_t run_id) {
  if (event.type == "reset") return EventMeaning::kReadRun;
  if (event.type == "shutdown") return EventMeaning::kReconnect;
  if (!event.type.starts_with("run.")) return EventMeaning::kNothing;
  json::error_code error;
  const json::value data = json::parse(event.data, error);
  // A run event that cannot be read might be this run's: reading it again costs one request.
  if (error || !data.is_object()) return EventMeaning::kReadRun;
  const json::value* id = data.get_object().if_contains("run_id");
  if (id == nullptr || !id->is_number()) return EventMeaning::kReadRun;
  json::error_code not_integer;
  const auto number = id->to_number<std::int64_t>(not_integer);
  return !not_integer && number != run_id ? EventMeaning::kNothing : EventMeaning::kReadRun;
}

core::Result<json::object> EventStreamFollower::Follow(std::int64_t id, const RunEvents& events,
                                                       std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  RunReport seen;
  // The stream first: every change after the read below comes as an event.
  auto stream = EventStream::Open(api_.settings(), "");
  if (!stream) return Poll(id, events, seen, deadline, timeout);
  auto run = ReadRun(api_, id);
  if (!run) return run.error();
  if (seen.Update(*run, events)) return run;
  return FollowStream(std::move(*stream), id, events, seen, deadline, timeout);
}

core::Result<json::object> EventStreamFollower::FollowStream(EventStream stream, std::int64_t id,
                                                             const RunEvents& events, RunReport& seen,
                                                             Clock::time_point deadline,
                                                             std::chrono::milliseconds timeout) {
  int reconnects_left = options_.reconnects;
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) return FollowTimedOut(id, seen.state(), timeout);
    auto arrived = stream.Next(Milliseconds(std::min<Clock::duration>(deadline - now, options_.silence)));
    bool read_run = false;
    bool reconnect = !arrived || Clock::now() - stream.last_heard() >= options_.silence;
    if (arrived) {
      for (const ServerSentEvent& event : *arrived) {
        const EventMeaning meaning = MeaningFor(event, id);
        read_run = read_run || meaning == EventMeaning::kReadRun;
        reconnect = reconnect || meaning == EventMeaning::kReconnect;
      }
    }
    if (reconnect) {
      auto reopened = Reopen(stream, reconnects_left, deadline);
      if (!reopened) return Poll(id, events, seen, deadline, timeout);
      stream = std::move(*reopened);
      read_run = true;  // cheap, and whatever the replay holds, nothing is missed
    }
    if (read_run) {
      auto run = ReadRun(api_, id);
      if (!run) return run.error();
      if (seen.Update(*run, events)) return run;
    }
  }
}

core::Result<EventStream> EventStreamFollower::Reopen(const EventStream& ended, int& reconnects_left,
                                                      Clock::time_point deadline) const {
  core::Error last = core::Error::Unavailable("the event stream ended");
  while (reconnects_left > 0 && Clock::now() < deadline) {
    --reconnects_left;
    std::this_thread::sleep_for(std::min<Clock::duration>(options_.reconnect_pause, deadline - Clock::now()));
    auto stream = EventStream::Open(api_.settings(), ended.last_event_id());
    if (stream) return stream;
    last = stream.error();
  }
  return last;
}

core::Result<json::object> EventStreamFollower::Poll(std::int64_t id, const RunEvents& events, RunReport& seen,
                                                     Clock::time_point deadline,
                                                     std::chrono::milliseconds timeout) const {
  PollingRunFollower poller(api_, options_.poll_interval);
  return poller.Continue(id, events, seen, deadline, timeout);
}

}  // namespace jobsched::client
