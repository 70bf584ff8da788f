#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/http_message.hpp"
#include "core/result.hpp"

namespace jobsched::api {

struct HttpServerOptions {
  // IP literal to listen on ("127.0.0.1", "0.0.0.0", "::1"); names are not resolved.
  std::string host = "127.0.0.1";
  // 0 picks a free port; HttpServer::port() tells which.
  std::uint16_t port = 8000;
  // Threads, each running its own event loop and acceptor. 0 means one per core.
  // More threads than cores only adds context switches.
  unsigned threads = 0;
  // A request whose body is larger is answered 413 and the connection closed; with a declared
  // Content-Length the body is never read. The whole body is held in memory.
  std::size_t max_body_bytes = 1 << 20;
  // Request line plus headers; larger requests are answered 431.
  std::size_t max_header_bytes = 16 * 1024;
  // A new connection must deliver its first request's headers within this time, and a later
  // request's headers within this time of its first byte; otherwise the connection is dropped.
  // Guards against clients that trickle headers to hold connections open (slowloris).
  std::chrono::milliseconds header_read_timeout{10'000};
  // A keep-alive connection waiting this long for its next request is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // Time allowed to receive a request body once its headers have arrived.
  std::chrono::milliseconds body_read_timeout{30'000};
  // Time allowed to send one response to a client that reads slowly.
  std::chrono::milliseconds write_timeout{30'000};
  // Open connections across all threads. A connection beyond it is answered 503 and closed
  // at once. Each open connection costs a socket and a few KB of buffers.
  std::size_t max_connections = 10'000;
};

// An HTTP/1.1 server: keep-alive, pipelining, per-phase timeouts and size limits. Every request
// is passed to one RequestHandler, which is called concurrently from all server threads and
// must be safe for that. Errors the server answers itself (400, 413, 431, 500, 503) carry an
// RFC 9457 problem+json body.
class HttpServer {
 public:
  // Binds and starts serving. Each of `options.threads` threads runs its own event loop with its
  // own listening socket on the same address (SO_REUSEPORT), so the kernel spreads connections
  // across threads without a shared queue. Fails with kInvalidArgument for bad options and
  // kUnavailable when the address cannot be bound.
  static core::Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, RequestHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // NOLINTNEXTLINE(bugprone-exception-escape): see ~Impl in http_server.cpp
  ~HttpServer();

  // The bound port; the real one when options.port was 0.
  std::uint16_t port() const;

  // Stops accepting, closes idle keep-alive connections, and lets requests already received be
  // answered (with Connection: close) for up to `grace`; then closes whatever remains and joins
  // the threads. A responder called after Stop() returns is ignored. Idempotent; the destructor
  // calls it. Must not be called from a request handler or a server thread (it joins them).
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds{5000});

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace jobsched::api
