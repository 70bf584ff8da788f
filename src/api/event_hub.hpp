#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "api/response_stream.hpp"
#include "core/annotated_mutex.hpp"

namespace jobsched::api {

struct EventHubOptions {
  // Events kept for clients that reconnect with Last-Event-ID; one that
  // missed more is told to start over (an event of type "reset").
  std::size_t replay_events = 10'000;
  // Bytes a subscriber may have waiting to be sent. A subscriber that stops
  // reading past this is dropped (its stream ends), so memory never grows
  // with a slow client; it may reconnect and resume from Last-Event-ID.
  std::size_t subscriber_buffer_bytes = 256 * 1024;
  // A comment line is sent after this long without events.
  std::chrono::milliseconds heartbeat{15'000};
  // The id of the first event. Ids only grow; a restarted node starts
  // elsewhere (its start time, by default), so an id another process gave
  // out is not mistaken for one of ours.
  std::uint64_t first_id = 1;
};

// Fans events out to Server-Sent Events streams (GET /events), each seeing
// only the namespaces its caller may access. Thread-safe: events are
// published from whatever thread learnt of a change (a store's writer, the
// PostgreSQL listener), streams are read by the HTTP server's threads. Every
// stream must be closed (or destroyed) before the hub is.
class EventHub {
 public:
  explicit EventHub(EventHubOptions options = {});
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;
  ~EventHub();

  // Sends `data_json` (one JSON object, no line breaks) as an event of
  // `type` to every subscriber that may access `namespace_name`.
  void Publish(std::string_view type, std::string_view namespace_name, std::string_view data_json);

  // Sends an event of `type` to every subscriber, whatever its namespaces
  // ("reset": what was missed cannot be told, start over).
  void PublishToAll(std::string_view type, std::string_view data_json);

  // A stream of the events `caller` may see, from now on; with
  // `last_event_id`, first those after it still held here, or an event of
  // type "reset" when some are not.
  std::shared_ptr<ResponseStream> Subscribe(const Caller& caller, std::optional<std::uint64_t> last_event_id)
      EXCLUDES(mutex_);

  // Ends every stream with an event of type "shutdown"; later subscribers
  // get that event alone.
  void Shutdown() EXCLUDES(mutex_);

  std::size_t subscriber_count() const EXCLUDES(mutex_);
  // Subscribers dropped so far because they stopped reading.
  std::uint64_t dropped_count() const EXCLUDES(mutex_);

 private:
  class Subscriber;
  struct Held {
    std::uint64_t id;
    std::string namespace_name;
    bool everyone = false;                    // sent whatever the namespace
    std::shared_ptr<const std::string> text;  // the event as sent
  };

  void Remove(Subscriber* subscriber) EXCLUDES(mutex_);
  // Publish, for `everyone` or the subscribers that may access `namespace_name`.
  void Send(std::string_view type, std::string_view namespace_name, bool everyone, std::string_view data_json)
      EXCLUDES(mutex_);

  const EventHubOptions options_;
  mutable core::Mutex mutex_;
  std::uint64_t next_id_ GUARDED_BY(mutex_);
  std::deque<Held> held_ GUARDED_BY(mutex_);  // the newest replay_events
  std::vector<Subscriber*> subscribers_ GUARDED_BY(mutex_);
  bool shut_down_ GUARDED_BY(mutex_) = false;
  std::uint64_t dropped_ GUARDED_BY(mutex_) = 0;
};

// One SSE event as sent: "id: N\nevent: TYPE\ndata: DATA\n\n".
std::string FormatServerSentEvent(std::uint64_t id, std::string_view type, std::string_view data);

}  // namespace jobsched::api
