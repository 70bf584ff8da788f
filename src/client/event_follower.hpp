#pragma once

// Following a run through the service's event stream (GET /events) rather
// than asking every half second: what `run logs -f` and `job trigger
// --wait` use.

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/json/value.hpp>

#include "client/api_client.hpp"
#include "client/event_stream.hpp"
#include "client/run_follower.hpp"
#include "core/result.hpp"

namespace jobsched::client {

// Opens the stream first, then reads GET /runs/{id} once (so no change
// between the two is missed), and reads the run again on each event about
// it (events only say that something changed: the run, with its output, is
// read from the API, as the poller does) and on a `reset`, until it has
// ended. When the stream cannot be opened (a service without one answers
// 404; a key may not be allowed it), or it ends and could not be opened
// again twice over (resuming with Last-Event-ID), or stays silent past
// `silence` (the service sends a keep-alive every 15 s), the polling
// follower carries on from what was seen.
class EventStreamFollower final : public RunFollower {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds poll_interval{500};  // of the poller falling back
    std::chrono::milliseconds silence{45'000};     // three keep-alives missed: the connection is dead
    int reconnects = 2;                            // per Follow, then the poller
    std::chrono::milliseconds reconnect_pause{500};
  };

  explicit EventStreamFollower(const ApiClient& api) : EventStreamFollower(api, Options{}) {}
  EventStreamFollower(const ApiClient& api, Options options) : api_(api), options_(options) {}

  core::Result<boost::json::object> Follow(std::int64_t id, const RunEvents& events,
                                           std::chrono::milliseconds timeout) override;

 private:
  // The rest of Follow once the run has been read the first time.
  core::Result<boost::json::object> FollowStream(EventStream stream, std::int64_t id, const RunEvents& events,
                                                 RunReport& seen, Clock::time_point deadline,
                                                 std::chrono::milliseconds timeout);
  // The stream opened again after `stream` ended, or the error of the last try.
  core::Result<EventStream> Reopen(const EventStream& ended, int& reconnects_left, Clock::time_point deadline) const;
  core::Result<boost::json::object> Poll(std::int64_t id, const RunEvents& events, RunReport& seen,
                                         Clock::time_point deadline, std::chrono::milliseconds timeout) const;

  const ApiClient& api_;
  Options options_;
};

// What an event of the stream asks of a follower of run `run_id`.
enum class EventMeaning {
  kNothing,    // another run's, a job's, or unknown
  kReadRun,    // about this run, or a reset: read the run again
  kReconnect,  // the node is stopping: the stream ends, connect again
};
EventMeaning MeaningFor(const ServerSentEvent& event, std::int64_t run_id);

}  // namespace jobsched::client
