#include "client/run_follower.hpp"

#include <thread>

namespace jobsched::client {
namespace {

namespace json = boost::json;

std::string StringMember(const json::object& object, std::string_view member) {
  const json::value* value = object.if_contains(member);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

bool IsTerminalRunState(std::string_view state) {
  return state == "succeeded" || state == "failed" || state == "timed_out" || state == "skipped" ||
         state == "cancelled";
}

OutputChange DiffOutput(const std::string& before, const std::string& now) {
  if (now == before) return {};
  if (now.compare(0, before.size(), before) == 0) return {now.substr(before.size()), false};
  return {now, true};
}

bool RunReport::Update(const json::object& run, const RunEvents& events) {
  const std::string state = StringMember(run, "state");
  if (state != state_ && events.on_state) events.on_state(run);
  state_ = state;
  std::string output = StringMember(run, "output");
  const OutputChange change = DiffOutput(output_, output);
  if (!change.text.empty() && events.on_output) events.on_output(change.text, change.restarted);
  output_ = std::move(output);
  return IsTerminalRunState(state_);
}

core::Result<json::object> ReadRun(const ApiClient& api, std::int64_t id) {
  auto answer = api.Get("/runs/" + std::to_string(id));
  if (!answer) return answer.error();
  if (!answer->body.is_object()) return core::Error::Unavailable("GET /runs/" + std::to_string(id) + " is no run");
  return std::move(answer->body.get_object());
}

core::Error FollowTimedOut(std::int64_t id, const std::string& state, std::chrono::milliseconds timeout) {
  return core::Error{core::ErrorCode::kTimeout,
                     "run " + std::to_string(id) + " is still " + state + " after waiting " +
                         std::to_string(timeout.count() / 1000) + " s",
                     ""};
}

core::Result<json::object> PollingRunFollower::Follow(std::int64_t id, const RunEvents& events,
                                                      std::chrono::milliseconds timeout) {
  RunReport seen;
  return Continue(id, events, seen, Clock::now() + timeout, timeout);
}

core::Result<json::object> PollingRunFollower::Continue(std::int64_t id, const RunEvents& events, RunReport& seen,
                                                        Clock::time_point deadline, std::chrono::milliseconds timeout) {
  for (;;) {
    auto run = ReadRun(api_, id);
    if (!run) return run.error();
    if (seen.Update(*run, events)) return run;
    if (Clock::now() + interval_ > deadline) return FollowTimedOut(id, seen.state(), timeout);
    std::this_thread::sleep_for(interval_);
  }
}

}  // namespace jobsched::client
