#include "client/event_stream.hpp"

#include <utility>

#include "client/api_client.hpp"

namespace jobsched::client {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

std::vector<ServerSentEvent> SseParser::Feed(std::string_view chunk) {
  std::vector<ServerSentEvent> events;
  for (const char c : chunk) {
    if (after_cr_ && c == '\n') {
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      Line(line_, events);
      line_.clear();
    } else {
      line_ += c;
    }
  }
  return events;
}

void SseParser::Line(std::string_view line, std::vector<ServerSentEvent>& events) {
  if (!started_) {
    started_ = true;
    if (line.starts_with(kByteOrderMark)) line.remove_prefix(kByteOrderMark.size());
  }
  if (line.empty()) {
    // Dispatch: the id stays for the events after; an event without data is none.
    if (!data_.empty()) {
      data_.pop_back();  // the "\n" after the last data line
      ServerSentEvent event;
      event.id = last_event_id_;
      if (!type_.empty()) event.type = std::move(type_);
      event.data = std::move(data_);
      events.push_back(std::move(event));
    }
    type_.clear();
    data_.clear();
    return;
  }
  if (line.front() == ':') return;  // a comment: the keep-alive
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    Field(line, "");
    return;
  }
  std::string_view value = line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  Field(line.substr(0, colon), value);
}

void SseParser::Field(std::string_view name, std::string_view value) {
  if (name == "event") {
    type_ = value;
  } else if (name == "data") {
    data_ += value;
    data_ += '\n';
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_ = value;
  }
  // "retry" (the reconnection delay a browser would use) and unknown fields: ignored.
}

core::Result<EventStream> EventStream::Open(const ConnectionSettings& settings, const std::string& last_event_id) {
  HttpCall call;
  call.target = "/events";
  call.accept = "text/event-stream";
  if (!last_event_id.empty()) call.headers.emplace_back("Last-Event-ID", last_event_id);
  auto http = HttpStream::Open(settings, call);
  if (!http) return http.error();
  HttpStream& answer = **http;
  if (answer.status() != 200) {
    HttpAnswer refused{answer.status(), answer.headers(), ""};
    if (auto body = answer.Read(std::chrono::milliseconds{200})) refused.body = std::move(*body);
    return ErrorFromAnswer(refused);
  }
  const auto type = answer.headers().find("content-type");
  if (type == answer.headers().end() || !type->second.starts_with("text/event-stream")) {
    return core::Error::Unavailable("the service at " + settings.server + " answered GET /events with " +
                                    (type == answer.headers().end() ? std::string("no Content-Type") : type->second) +
                                    ", not an event stream");
  }
  return EventStream(std::move(*http), last_event_id);
}

core::Result<std::vector<ServerSentEvent>> EventStream::Next(std::chrono::milliseconds wait) {
  auto bytes = http_->Read(wait);
  if (!bytes) return bytes.error();
  if (bytes->empty()) return std::vector<ServerSentEvent>{};
  last_heard_ = std::chrono::steady_clock::now();
  return parser_.Feed(*bytes);
}

}  // namespace jobsched::client
