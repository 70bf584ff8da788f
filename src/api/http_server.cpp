#include "api/http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace jobsched::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using BeastRequest = http::request<http::string_body>;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Disconnects, resets and timeouts are everyday events on a server, so every operation reports
// them as values instead of exceptions.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t kReadChunkBytes = 4096;
// After answering with an error we stop sending but keep reading for a short while: closing a
// socket with unread input makes the kernel send RST, which can destroy our response in the
// client's receive buffer before it reads it.
constexpr std::chrono::milliseconds kLingerTimeout{500};
constexpr std::size_t kMaxLingerBytes = 1 << 20;
// Accept fails with EMFILE when we run out of descriptors; retrying at once would spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
// How long Stop() waits for connections to finish after it has closed them by force.
constexpr std::chrono::milliseconds kForceCloseWait{1000};

// ---------------------------------------------------------------------------------------------
// Responses the server writes itself: RFC 9457 problem details.

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (byte < 0x20) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\u%04x", static_cast<unsigned>(byte));
      out += escaped.data();
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string_view StatusTitle(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

HttpResponse Problem(int status, std::string_view detail) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/problem+json");
  response.body = R"({"type":"about:blank","title":)" + JsonString(StatusTitle(status)) + R"(,"status":)" +
                  std::to_string(status) + R"(,"detail":)" + JsonString(detail) + "}";
  return response;
}

// ---------------------------------------------------------------------------------------------
// Handing a response from any thread back to the connection's event loop.

// Runs work on one worker's io_context for as long as it exists. Responders may outlive the
// server (a handler can keep one after Stop()), so they post through this gate, which Stop()
// closes before destroying the io_context.
class ExecutorGate {
 public:
  explicit ExecutorGate(asio::io_context& context) : context_(&context) {}

  // Runs `work` inline when already on the loop's thread (the common case of a handler that
  // answers synchronously), else posts it. Dropped once the gate is closed.
  template <typename Work>
  void Dispatch(Work&& work) {
    std::unique_lock lock(mutex_);
    if (context_ == nullptr) return;
    if (context_->get_executor().running_in_this_thread()) {
      lock.unlock();
      work();
    } else {
      asio::post(*context_, std::forward<Work>(work));
    }
  }

  void Close() {
    std::lock_guard lock(mutex_);
    context_ = nullptr;
  }

 private:
  std::mutex mutex_;
  asio::io_context* context_;  // guarded by mutex_; null once closed
};

// Where a response waits for its connection. Touched only on the connection's thread.
struct ResponseSlot {
  std::optional<HttpResponse> response;
  asio::steady_timer* wakeup = nullptr;  // null once the connection stopped waiting
};

// Shared by all copies of one Responder (std::function needs copyable targets).
class ResponderState {
 public:
  ResponderState(std::shared_ptr<ExecutorGate> gate, std::shared_ptr<ResponseSlot> slot)
      : gate_(std::move(gate)), slot_(std::move(slot)) {}
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;

  // A handler that loses its responder is a bug, but the client still deserves an answer
  // rather than a connection that hangs until it gives up.
  ~ResponderState() {
    // Checked first: building the problem for every request that did answer
    // showed up in profiles of the fast path.
    if (answered_.load()) return;
    try {
      Answer(Problem(500, "the request handler did not answer"));
    } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory while failing; nothing to do
    }
  }

  // The first answer wins; later ones are dropped.
  void Answer(HttpResponse response) {
    if (answered_.exchange(true)) return;
    gate_->Dispatch([slot = slot_, response = std::move(response)]() mutable {
      slot->response = std::move(response);
      if (slot->wakeup != nullptr) slot->wakeup->cancel();
    });
  }

 private:
  std::shared_ptr<ExecutorGate> gate_;
  std::shared_ptr<ResponseSlot> slot_;
  std::atomic<bool> answered_{false};
};

// ---------------------------------------------------------------------------------------------
// Server, worker and connection state.

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
  bool idle = false;  // waiting for the first byte of a request; Stop() may close it
  bool force_closed = false;
  std::list<Connection*>::iterator registration;
};

// ---------------------------------------------------------------------------------------------
// Conversions between Beast messages and ours.

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

// The response as bytes on the wire, in one buffer: one write, no
// serializer walking a chain of buffer views (a tenth of a small GET's cost).
std::string SerializeResponse(HttpResponse response, unsigned version, bool keep_alive, bool header_only) {
  // 1xx cannot be a final answer, and Beast rejects codes past 999.
  if (response.status < 200 || response.status > 999) {
    response = Problem(500, "the request handler returned an invalid status code");
  }
  // RFC 9110: 204 and 304 never carry a body or, for 204, a Content-Length.
  const bool has_body = response.status != 204 && response.status != 304;
  std::string out;
  out.reserve(256 + (has_body && !header_only ? response.body.size() : 0));
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
  if (has_body) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  if (has_body && !header_only) out += response.body;
  return out;
}

// The answer for a request that could not be read, or nullopt when the client is gone.
std::optional<HttpResponse> RejectionFor(const ErrorCode& ec, const HttpServerOptions& options) {
  if (ec == http::error::header_limit) {
    return Problem(431, "request header exceeds " + std::to_string(options.max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return Problem(413, "request body exceeds " + std::to_string(options.max_body_bytes) + " bytes");
  }
  const bool is_parse_error = ec.category() == make_error_code(http::error::bad_method).category();
  if (is_parse_error && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return Problem(400, "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

// Why the body of `header`'s request has no single reading, or nullopt. RFC 9112 §6.1: a body
// is framed by Content-Length, or by Transfer-Encoding whose one coding is chunked; anything
// else gets 400 and the connection closed. Beast 1.81 reads a Transfer-Encoding that does not
// end in chunked as no body at all (or goes by Content-Length), so the bytes a proxy in front
// forwarded as this request's body would be read here as a request of their own (smuggling).
// Both fields together and duplicated chunked fields Beast refuses itself.
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

// ---------------------------------------------------------------------------------------------
// The connection coroutine and its steps.

struct ReadResult {
  std::optional<BeastRequest> request;    // a complete request
  std::optional<HttpResponse> rejection;  // or an error to answer before closing
  unsigned version = 11;
};

// Waits for the first byte of a request (under the idle timeout; for a new connection, under the
// header timeout counted from accept), then reads the header and, if it is acceptable, the body.
asio::awaitable<ReadResult> ReadRequest(Connection& connection, bool first_request) {
  const HttpServerOptions& options = connection.worker.server.options;
  beast::tcp_stream& stream = connection.stream;
  if (first_request) {
    stream.expires_at(connection.accepted_at + options.header_read_timeout);
  }
  if (connection.buffer.size() == 0) {
    if (!first_request) stream.expires_after(options.idle_timeout);
    connection.idle = true;
    auto [ec, bytes] = co_await stream.async_read_some(connection.buffer.prepare(kReadChunkBytes), kNoThrow);
    connection.idle = false;
    if (ec) co_return ReadResult{};
    connection.buffer.commit(bytes);
  }
  if (!first_request) stream.expires_after(options.header_read_timeout);

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  if (auto [ec, bytes] = co_await http::async_read_header(stream, connection.buffer, parser, kNoThrow); ec) {
    co_return ReadResult{std::nullopt, RejectionFor(ec, options)};
  }
  const unsigned version = parser.get().version();
  if (auto problem = FramingProblem(parser.get())) {
    co_return ReadResult{std::nullopt, Problem(400, "malformed HTTP request: " + *problem), version};
  }

  if (!parser.is_done()) {
    // Clients that ask first (curl does for large bodies) would otherwise pause before sending.
    if (version == 11 && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> proceed{http::status::continue_, 11};
      if (auto [ec, bytes] = co_await http::async_write(stream, proceed, kNoThrow); ec) {
        co_return ReadResult{};
      }
    }
    stream.expires_after(options.body_read_timeout);
    if (auto [ec, bytes] = co_await http::async_read(stream, connection.buffer, parser, kNoThrow); ec) {
      co_return ReadResult{std::nullopt, RejectionFor(ec, options), version};
    }
  }
  co_return ReadResult{parser.release(), std::nullopt, version};
}

// Calls the handler and suspends until its responder is called, on whatever thread. Returns
// nullopt if Stop() closed the connection meanwhile.
asio::awaitable<std::optional<HttpResponse>> AwaitResponse(Connection& connection, BeastRequest&& message) {
  auto slot = std::make_shared<ResponseSlot>();
  slot->wakeup = &connection.wakeup;
  // Reset on every exit, including destruction of this frame during shutdown, so that a late
  // responder never touches a timer that is gone.
  struct Unhook {
    ResponseSlot& slot;
    ~Unhook() { slot.wakeup = nullptr; }
  } unhook{*slot};

  // Our copy of the responder dies at the end of this block: only then does a handler that
  // dropped its copy get the 500 answer.
  {
    auto state = std::make_shared<ResponderState>(connection.worker.gate, slot);
    Responder responder = [state](HttpResponse response) { state->Answer(std::move(response)); };
    try {
      connection.worker.server.handler(ToHttpRequest(std::move(message), connection.remote_address), responder);
    } catch (...) {
      responder(Problem(500, "the request handler failed"));
    }
  }

  connection.stream.expires_never();  // the handler takes as long as it takes
  while (!slot->response && !connection.force_closed) {
    connection.wakeup.expires_at(asio::steady_timer::time_point::max());
    co_await connection.wakeup.async_wait(kNoThrow);
  }
  if (connection.force_closed) co_return std::nullopt;
  co_return std::move(slot->response);
}

asio::awaitable<bool> WriteResponse(Connection& connection, HttpResponse response, unsigned version, bool keep_alive,
                                    bool header_only) {
  const std::string wire = SerializeResponse(std::move(response), version, keep_alive, header_only);
  connection.stream.expires_after(connection.worker.server.options.write_timeout);
  auto [ec, bytes] = co_await asio::async_write(connection.stream, asio::buffer(wire), kNoThrow);
  co_return !ec;
}

asio::awaitable<void> CloseGracefully(Connection& connection) {
  ErrorCode ec;
  connection.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection.stream.expires_after(kLingerTimeout);
  std::array<char, kReadChunkBytes> discarded;
  for (std::size_t total = 0; total < kMaxLingerBytes;) {
    auto [read_ec, bytes] = co_await connection.stream.async_read_some(asio::buffer(discarded), kNoThrow);
    if (read_ec) break;
    total += bytes;
  }
  connection.stream.close();
}

asio::awaitable<void> ServeConnection(Worker& worker, tcp::socket socket, ConnectionTicket) {
  Connection connection(worker, std::move(socket));
  for (bool first_request = true; !worker.stopping; first_request = false) {
    ReadResult read = co_await ReadRequest(connection, first_request);
    if (read.rejection) {
      if (co_await WriteResponse(connection, std::move(*read.rejection), read.version, false, false)) {
        co_await CloseGracefully(connection);
      }
      co_return;
    }
    if (!read.request) co_return;

    const bool client_keeps_alive = read.request->keep_alive();
    const bool header_only = read.request->method() == http::verb::head;
    std::optional<HttpResponse> response = co_await AwaitResponse(connection, std::move(*read.request));
    if (!response) co_return;

    const bool keep_alive = client_keeps_alive && !worker.stopping && !WantsClose(*response);
    if (!co_await WriteResponse(connection, std::move(*response), read.version, keep_alive, header_only)) {
      co_return;
    }
    if (!keep_alive) {
      co_await CloseGracefully(connection);
      co_return;
    }
  }
}

// Over the connection limit: a best-effort 503 without waiting on the client, then close.
void RejectOverloaded(tcp::socket socket) {
  static const std::string kAnswer = [] {
    HttpResponse problem = Problem(503, "too many open connections");
    return "HTTP/1.1 503 Service Unavailable\r\nServer: jobsched\r\n"
           "Content-Type: application/problem+json\r\nConnection: close\r\nContent-Length: " +
           std::to_string(problem.body.size()) + "\r\n\r\n" + problem.body;
  }();
  ErrorCode ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kAnswer), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

asio::awaitable<void> AcceptLoop(Worker& worker) {
  ServerState& server = worker.server;
  for (;;) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kNoThrow);
    if (worker.stopping || !worker.acceptor->is_open()) co_return;
    if (ec) {
      asio::steady_timer delay(worker.context, kAcceptRetryDelay);
      co_await delay.async_wait(kNoThrow);
      continue;
    }
    if (server.open_connections.fetch_add(1) >= server.options.max_connections) {
      server.open_connections.fetch_sub(1);
      RejectOverloaded(std::move(socket));
      continue;
    }
    asio::co_spawn(worker.context, ServeConnection(worker, std::move(socket), ConnectionTicket(server)),
                   [](const std::exception_ptr&) {});
  }
}

void BeginStop(Worker& worker) {
  worker.stopping = true;
  ErrorCode ec;
  if (worker.acceptor) worker.acceptor->close(ec);
  for (Connection* connection : worker.connections) {
    if (connection->idle) connection->stream.cancel();
  }
}

void ForceClose(Worker& worker) {
  for (Connection* connection : worker.connections) {
    connection->force_closed = true;
    connection->stream.close();
    connection->wakeup.cancel();
  }
}

// Fails when something already accepts connections on `endpoint`. A connect
// rather than a bind: a bind would also trip over the TIME_WAIT leftovers of
// our own previous run and refuse a quick restart.
core::Result<void> ProbePortIsFree(tcp::endpoint endpoint) {
  if (endpoint.address().is_unspecified()) {
    endpoint.address(endpoint.address().is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                                                : asio::ip::address(asio::ip::address_v4::loopback()));
  }
  asio::io_context context;
  tcp::socket probe(context);
  ErrorCode ec;
  probe.connect(endpoint, ec);
  if (!ec) {
    return core::Error::Unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                                    std::to_string(endpoint.port()) + ": address already in use");
  }
  return core::Ok();
}

core::Result<void> OpenAcceptor(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  ErrorCode ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  // Must be set before bind, on every socket sharing the port.
  if (!ec) acceptor.set_option(ReusePort(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Error::Unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                                    std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return core::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, RequestHandler handler) : server_{std::move(options), std::move(handler), {}} {}

  ~Impl() { Stop(std::chrono::milliseconds{0}); }

  core::Result<void> Listen(const asio::ip::address& address, unsigned thread_count) {
    std::uint16_t port = server_.options.port;
    if (port != 0) {
      // SO_REUSEPORT would let us share a port another jobsched (same user)
      // already serves, silently splitting its traffic. A plain bind first
      // fails on a port anyone listens on.
      if (auto free = ProbePortIsFree(tcp::endpoint(address, port)); !free) return free;
    }
    for (unsigned i = 0; i < thread_count; ++i) {
      auto worker = std::make_unique<Worker>(server_);
      worker->acceptor.emplace(worker->context);
      if (auto listened = OpenAcceptor(*worker->acceptor, tcp::endpoint(address, port)); !listened) {
        return listened;
      }
      // With port 0 the first acceptor picks the port and the others join it.
      port = worker->acceptor->local_endpoint().port();
      workers_.push_back(std::move(worker));
    }
    port_ = port;
    return core::Ok();
  }

  core::Result<void> Launch() {
    for (auto& worker : workers_) {
      asio::co_spawn(worker->context, AcceptLoop(*worker), [](const std::exception_ptr&) {});
    }
    for (auto& worker : workers_) {
      try {
        worker->thread = std::thread([this, &worker = *worker] { Run(worker); });
      } catch (const std::system_error& error) {
        return core::Error::Unavailable(std::string("cannot start server thread: ") + error.what());
      }
      ++launched_threads_;
    }
    return core::Ok();
  }

  void Stop(std::chrono::milliseconds grace) {
    std::lock_guard stop_lock(stop_mutex_);
    if (stopped_) return;
    stopped_ = true;

    for (auto& worker : workers_) asio::post(worker->context, [&w = *worker] { BeginStop(w); });
    if (!WaitForThreads(std::chrono::steady_clock::now() + grace)) {
      for (auto& worker : workers_) asio::post(worker->context, [&w = *worker] { ForceClose(w); });
      (void)WaitForThreads(std::chrono::steady_clock::now() + kForceCloseWait);
    }
    for (auto& worker : workers_) worker->context.stop();
    for (auto& worker : workers_) {
      if (worker->thread.joinable()) worker->thread.join();
    }
    // Close the gates first: destroying a context destroys the coroutines still suspended in it,
    // and responders held elsewhere must not post into it meanwhile or afterwards.
    for (auto& worker : workers_) worker->gate->Close();
    workers_.clear();
  }

  std::uint16_t port() const { return port_; }

 private:
  void Run(Worker& worker) {
    for (;;) {
      try {
        worker.context.run();
        break;
      } catch (...) {  // NOLINT(bugprone-empty-catch): a failed handler must not end the thread
      }
    }
    {
      std::lock_guard lock(mutex_);
      ++finished_threads_;
    }
    threads_finished_.notify_all();
  }

  bool WaitForThreads(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return threads_finished_.wait_until(lock, deadline, [&] { return finished_threads_ == launched_threads_; });
  }

  ServerState server_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::uint16_t port_ = 0;
  unsigned launched_threads_ = 0;  // written before Stop() can run, by the thread in Start()

  std::mutex stop_mutex_;  // serialises Stop()
  bool stopped_ = false;   // guarded by stop_mutex_

  std::mutex mutex_;
  std::condition_variable threads_finished_;
  unsigned finished_threads_ = 0;  // guarded by mutex_
};

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, RequestHandler handler) {
  if (!handler) return core::Error::InvalidArgument("handler", "a request handler is required");
  if (options.max_header_bytes > std::numeric_limits<std::uint32_t>::max()) {
    return core::Error::InvalidArgument("max_header_bytes", "must fit in 32 bits");
  }
  ErrorCode ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) return core::Error::InvalidArgument("host", "not an IP address: " + options.host);
  const unsigned thread_count =
      options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());

  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  if (auto listened = impl->Listen(address, thread_count); !listened) return listened.error();
  if (auto launched = impl->Launch(); !launched) return launched.error();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

std::uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

}  // namespace jobsched::api
