#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace jobsched::testing {

// One request as the endpoint received it.
struct RecordedRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header called `name`, compared case-insensitively.
  std::optional<std::string> Header(std::string_view name) const;
};

// What the endpoint answers to every request.
struct EndpointResponse {
  int status = 200;
  std::string reason;  // empty: the usual phrase for `status`
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Wait this long before answering; Stop() cuts the wait short.
  std::chrono::milliseconds delay{0};
};

// Shorthand for the usual case: `status` with `body`, after `delay`.
inline EndpointResponse Answer(int status, std::string body = {}, std::chrono::milliseconds delay = {}) {
  EndpointResponse response;
  response.status = status;
  response.body = std::move(body);
  response.delay = delay;
  return response;
}

// A real HTTP/1.1 server on 127.0.0.1 and a free port, for testing HTTP
// clients without mocks: it records each request and answers with the
// configured response, one thread per connection, then closes the connection.
// Throws std::runtime_error when it cannot listen.
class HttpEndpoint {
 public:
  HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;
  ~HttpEndpoint();

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string Url(std::string_view path = "/") const;

  // Applies to requests that arrive from now on. Thread-safe.
  void SetResponse(EndpointResponse response);
  // Every request received so far, in order of arrival. Thread-safe.
  std::vector<RecordedRequest> Requests() const;
  std::size_t RequestCount() const;

  // Stops listening, cuts delays short, closes connections and joins threads.
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int connection);
  // Reads one request; nullopt when the peer closed or Stop() was called.
  std::optional<RecordedRequest> ReadRequest(int connection);

  int listener_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};  // readable once Stop() has been called

  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;                  // guarded by mutex_
  EndpointResponse response_;              // guarded by mutex_
  std::vector<RecordedRequest> requests_;  // guarded by mutex_
  std::vector<std::thread> connections_;   // guarded by mutex_

  std::thread acceptor_;
};

// A loopback port with nothing listening on it (bound, then closed), for
// testing "connection refused".
int UnusedLoopbackPort();

}  // namespace jobsched::testing
