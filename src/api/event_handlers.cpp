#include "api/event_handlers.hpp"

#include <charconv>
#include <optional>
#include <string_view>

#include "api/problem.hpp"

namespace jobsched::api {
namespace {

// The id a reconnecting client last saw; nullopt when it sent none. A value
// that is not a number is treated as unknown (the hub then says "reset").
std::optional<std::uint64_t> LastEventId(const HttpRequest& request) {
  const std::string_view text = request.Header("Last-Event-ID");
  if (text.empty()) return std::nullopt;
  std::uint64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size()) return std::uint64_t{0};
  return id;
}

}  // namespace

void RegisterEventHandlers(Router& router, EventHub& hub) {
  router.Add("GET", "/events", [&hub](HttpRequest&& request, const PathParams&, const Responder& respond) {
    HttpResponse response;
    response.SetHeader("Content-Type", "text/event-stream; charset=utf-8");
    response.SetHeader("Cache-Control", "no-store");
    // nginx would otherwise buffer the stream (deploy/nginx.conf proxies it).
    response.SetHeader("X-Accel-Buffering", "no");
    response.stream = hub.Subscribe(request.caller, LastEventId(request));
    respond(std::move(response));
  });
}

}  // namespace jobsched::api
