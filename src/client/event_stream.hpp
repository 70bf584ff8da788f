#pragma once

// The service's event stream (GET /events) as the client reads it:
// Server-Sent Events parsed as the HTML standard says ("interpreting an
// event stream"), over an HttpStream.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/connection.hpp"
#include "client/http_client.hpp"
#include "core/result.hpp"

namespace jobsched::client {

struct ServerSentEvent {
  std::string id;                // the last id the stream gave, this event's or an earlier one's
  std::string type = "message";  // `event:`; "message" without one
  std::string data;              // `data:` lines joined by "\n"
};

// Turns the bytes of a stream, in pieces cut anywhere, into events: lines
// end in CRLF, LF or CR; `id:`, `event:`, `data:` (and `retry:`) fields,
// one space after the colon dropped; a blank line dispatches the event,
// unless it had no data; comments (`: keep-alive`) and other fields are
// ignored, as is an id with a NUL in it.
class SseParser {
 public:
  // `last_event_id`: what an earlier stream ended with, kept until an id comes.
  explicit SseParser(std::string last_event_id = "") : last_event_id_(std::move(last_event_id)) {}
  // The events completed by `chunk`, in order.
  std::vector<ServerSentEvent> Feed(std::string_view chunk);
  // The id to resume from (Last-Event-ID); "" before any.
  const std::string& last_event_id() const { return last_event_id_; }

 private:
  void Line(std::string_view line, std::vector<ServerSentEvent>& events);
  void Field(std::string_view name, std::string_view value);

  std::string line_;       // the incomplete last line
  bool after_cr_ = false;  // the last chunk ended in CR: a LF first in the next ends no line
  bool started_ = false;   // a leading byte order mark is dropped
  std::string last_event_id_;
  std::string type_;
  std::string data_;
};

// An open GET /events (Accept: text/event-stream, the token as every
// request carries it).
class EventStream {
 public:
  // Opens the stream, resuming after `last_event_id` when it is not "".
  // Fails with the error the service's answer stands for (404: an older
  // service without it; 401, 403) or kUnavailable when none came or it is
  // not an event stream.
  static core::Result<EventStream> Open(const ConnectionSettings& settings, const std::string& last_event_id);

  // The events that arrived within `wait` (none: an empty list);
  // kUnavailable once the stream has ended.
  core::Result<std::vector<ServerSentEvent>> Next(std::chrono::milliseconds wait);

  const std::string& last_event_id() const { return parser_.last_event_id(); }
  // When the last bytes (an event or a keep-alive comment) came.
  std::chrono::steady_clock::time_point last_heard() const { return last_heard_; }

 private:
  EventStream(std::unique_ptr<HttpStream> http, const std::string& last_event_id)
      : http_(std::move(http)), parser_(last_event_id) {}

  std::unique_ptr<HttpStream> http_;
  SseParser parser_;
  std::chrono::steady_clock::time_point last_heard_ = std::chrono::steady_clock::now();
};

}  // namespace jobsched::client
