#include "api/server/wire.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "api/http_problem.hpp"

namespace jobsched::api::server {

HttpRequest ToHttpRequest(BeastRequest&& message, const std::string& remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote_address;
  return request;
}

bool WantsClose(const HttpResponse& response) {
  std::string value(response.Header("Connection"));
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return value.find("close") != std::string::npos;
}

WireResponse SerializeResponse(HttpResponse response, unsigned version, bool keep_alive, bool header_only) {
  // 1xx cannot be a final answer, and Beast rejects codes past 999.
  if (response.status < 200 || response.status > 999) {
    response = ProblemResponse(500, "the request handler returned an invalid status code");
  }
  // RFC 9110: 204 and 304 never carry a body or, for 204, a Content-Length.
  const bool has_body = response.status != 204 && response.status != 304;
  const bool streamed = response.stream != nullptr && has_body;
  if (streamed) keep_alive = false;
  std::string out;
  out.reserve(256);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  const auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  bool has_server = false;
  for (const auto& [name, value] : response.headers) {
    // Framing headers are ours to set. CR or LF would let a value smuggle in extra headers.
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
        beast::iequals(name, "Connection") || name.empty() || name.find_first_of("\r\n: ") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    has_server = has_server || beast::iequals(name, "Server");
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!has_server) out += "Server: jobsched\r\n";
  // HTTP/1.1 keeps connections open unless told; HTTP/1.0 closes unless told.
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  if (has_body && !streamed) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  const bool send_body = has_body && !header_only && !streamed;
  return WireResponse{.head = std::move(out), .body = send_body ? std::move(response.body) : std::string()};
}

std::optional<HttpResponse> RejectionFor(const ErrorCode& ec, const HttpServerOptions& options) {
  if (ec == http::error::header_limit) {
    return ProblemResponse(431, "request header exceeds " + std::to_string(options.max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return ProblemResponse(413, "request body exceeds " + std::to_string(options.max_body_bytes) + " bytes");
  }
  const bool is_parse_error = ec.category() == make_error_code(http::error::bad_method).category();
  if (is_parse_error && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return ProblemResponse(400, "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

std::optional<std::string> FramingProblem(const BeastRequest::header_type& header) {
  const auto [first, last] = header.equal_range(http::field::transfer_encoding);
  if (first == last) return std::nullopt;
  if (header.version() < 11) return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
  if (header.count(http::field::content_length) != 0) {
    return "a request must not have both Transfer-Encoding and Content-Length";
  }
  int chunked = 0;
  int others = 0;
  for (auto field = first; field != last; ++field) {
    std::string_view list = field->value();
    while (!list.empty()) {
      const std::size_t comma = std::min(list.find(','), list.size());
      std::string_view coding = list.substr(0, comma);
      list.remove_prefix(std::min(comma + 1, list.size()));
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
      if (coding.empty()) continue;  // RFC 9110 §5.6.1: empty list elements are ignored
      if (beast::iequals(coding, "chunked")) {
        ++chunked;
      } else {
        ++others;
      }
    }
  }
  if (chunked != 1 || others != 0) return "Transfer-Encoding must be exactly chunked, the only coding accepted";
  return std::nullopt;
}

}  // namespace jobsched::api::server
