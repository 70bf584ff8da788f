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

core::Result<json::object> PollingRunFollower::Follow(std::int64_t id, const RunEvents& events,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_state;
  std::string last_output;
  for (;;) {
    auto answer = api_.Get("/runs/" + std::to_string(id));
    if (!answer) return answer.error();
    if (!answer->body.is_object()) return core::Error::Unavailable("GET /runs/" + std::to_string(id) + " is no run");
    const json::object& run = answer->body.get_object();
    const std::string state = StringMember(run, "state");
    if (state != last_state && events.on_state) events.on_state(run);
    last_state = state;
    const OutputChange change = DiffOutput(last_output, StringMember(run, "output"));
    if (!change.text.empty() && events.on_output) events.on_output(change.text, change.restarted);
    last_output = StringMember(run, "output");
    if (IsTerminalRunState(state)) return run;
    if (std::chrono::steady_clock::now() + interval_ > deadline) {
      return core::Error{core::ErrorCode::kTimeout,
                         "run " + std::to_string(id) + " is still " + state + " after waiting " +
                             std::to_string(timeout.count() / 1000) + " s",
                         ""};
    }
    std::this_thread::sleep_for(interval_);
  }
}

}  // namespace jobsched::client
