#pragma once

// Following a run until it ends (`jobsched run logs -f`, `job trigger
// --wait`). The commands use the EventStreamFollower (event_follower.hpp):
// it follows GET /events and hands over to the poller here when the stream
// cannot be had.

#include <chrono>
#include <functional>
#include <string>

#include <boost/json/value.hpp>

#include "client/api_client.hpp"
#include "core/result.hpp"

namespace jobsched::client {

// What a follower reports as the run moves on.
struct RunEvents {
  // The run's state changed (first call: its state when following began).
  std::function<void(const boost::json::object& run)> on_state;
  // New output: text appended since the last call, or, when the run's output
  // was replaced (a new attempt), the whole new output with `restarted`.
  std::function<void(const std::string& text, bool restarted)> on_output;
};

class RunFollower {
 public:
  virtual ~RunFollower() = default;
  // Follows run `id` until it is in a terminal state and answers it as it
  // ended; kTimeout once `timeout` has passed first; the API's errors as
  // they come (kNotFound for an unknown run).
  virtual core::Result<boost::json::object> Follow(std::int64_t id, const RunEvents& events,
                                                   std::chrono::milliseconds timeout) = 0;
};

// What a follower has seen of a run so far: each new reading of GET
// /runs/{id} becomes the RunEvents calls of what changed since the last.
class RunReport {
 public:
  // Reports `run` to `events`; answers whether it has ended.
  bool Update(const boost::json::object& run, const RunEvents& events);
  const std::string& state() const { return state_; }

 private:
  std::string state_;
  std::string output_;
};

// Polls GET /runs/{id} every `interval` (0.5 s by default: a person sees a
// run end within half a second, and a follower costs the service two small
// reads a second).
class PollingRunFollower final : public RunFollower {
 public:
  using Clock = std::chrono::steady_clock;

  explicit PollingRunFollower(const ApiClient& api, std::chrono::milliseconds interval = std::chrono::milliseconds{500})
      : api_(api), interval_(interval) {}

  core::Result<boost::json::object> Follow(std::int64_t id, const RunEvents& events,
                                           std::chrono::milliseconds timeout) override;

  // Polls on from what `seen` holds until `deadline` (a follower handing
  // over midway); `timeout` is for the message of kTimeout.
  core::Result<boost::json::object> Continue(std::int64_t id, const RunEvents& events, RunReport& seen,
                                             Clock::time_point deadline, std::chrono::milliseconds timeout);

 private:
  const ApiClient& api_;
  std::chrono::milliseconds interval_;
};

// GET /runs/{id}: the run, or the API's error.
core::Result<boost::json::object> ReadRun(const ApiClient& api, std::int64_t id);

// kTimeout: run `id` is still in `state` after `timeout`.
core::Error FollowTimedOut(std::int64_t id, const std::string& state, std::chrono::milliseconds timeout);

// Whether a run in `state` has ended (succeeded, failed, timed_out,
// skipped, cancelled).
bool IsTerminalRunState(std::string_view state);

// What changed between two readings of a run's output: the appended text,
// or the whole new output when it no longer starts with the old (restarted).
struct OutputChange {
  std::string text;
  bool restarted = false;
};
OutputChange DiffOutput(const std::string& before, const std::string& now);

}  // namespace jobsched::client
