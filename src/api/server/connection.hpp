#pragma once

// Internal to the HTTP server (jobsched_http; includes Beast and Asio): the
// event loops, their connections, and the coroutine that serves one.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "api/http_message.hpp"
#include "api/http_server.hpp"
#include "api/server/beast.hpp"
#include "api/server/responder.hpp"

namespace jobsched::api::server {

struct ServerState {
  HttpServerOptions options;
  RequestHandler handler;
  std::atomic<std::size_t> open_connections{0};
};

struct Connection;

// One thread's event loop. Everything but `gate` is touched only on that thread once started.
struct Worker {
  explicit Worker(ServerState& server_state) : server(server_state) {}

  ServerState& server;
  // Declared before `context`: coroutine frames destroyed with the context unregister here.
  std::list<Connection*> connections;
  bool stopping = false;
  asio::io_context context{1};  // one thread per context
  std::shared_ptr<ExecutorGate> gate = std::make_shared<ExecutorGate>(context);
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
};

// Holds one unit of ServerState::open_connections and gives it back when destroyed, even if
// the connection's coroutine never got to run.
class ConnectionTicket {
 public:
  explicit ConnectionTicket(ServerState& server) : server_(&server) {}
  ConnectionTicket(ConnectionTicket&& other) noexcept : server_(std::exchange(other.server_, nullptr)) {}
  ConnectionTicket& operator=(ConnectionTicket&&) = delete;
  ~ConnectionTicket() {
    if (server_ != nullptr) server_->open_connections.fetch_sub(1);
  }

 private:
  ServerState* server_;
};

struct Connection {
  Connection(Worker& owner, tcp::socket socket)
      : worker(owner),
        stream(std::move(socket)),
        wakeup(stream.get_executor()),
        accepted_at(std::chrono::steady_clock::now()) {
    ErrorCode ec;
    const auto peer = stream.socket().remote_endpoint(ec);
    if (!ec) remote_address = peer.address().to_string();
    stream.socket().set_option(tcp::no_delay(true), ec);
    // Synchronous writes on it (WriteResponse's first try) return would_block instead of waiting.
    stream.socket().non_blocking(true, ec);
    registration = worker.connections.insert(worker.connections.end(), this);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { worker.connections.erase(registration); }

  Worker& worker;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;  // bytes read but not parsed yet: the start of pipelined requests
  asio::steady_timer wakeup;  // cancelled when the response arrives or on forced close
  std::chrono::steady_clock::time_point accepted_at;
  std::string remote_address;
  bool idle = false;       // waiting for the first byte of a request; Stop() may close it
  bool streaming = false;  // sending a streamed body; Stop() ends it
  bool force_closed = false;
  std::list<Connection*>::iterator registration;
};

// Accepts connections on the worker's acceptor until it closes, serving each
// in a coroutine of its own (or refusing it past max_connections).
asio::awaitable<void> AcceptLoop(Worker& worker);

// Shutdown, on the worker's thread: stop accepting and close idle
// connections (BeginStop); later, close the rest by force (ForceClose).
void BeginStop(Worker& worker);
void ForceClose(Worker& worker);

}  // namespace jobsched::api::server
