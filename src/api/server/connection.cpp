#include "api/server/connection.hpp"

#include <array>
#include <exception>
#include <tuple>
#include <utility>

#include "api/http_problem.hpp"
#include "api/server/wire.hpp"

namespace jobsched::api::server {
namespace {

constexpr std::size_t kReadChunkBytes = 4096;
// After answering with an error we stop sending but keep reading for a short while: closing a
// socket with unread input makes the kernel send RST, which can destroy our response in the
// client's receive buffer before it reads it.
constexpr std::chrono::milliseconds kLingerTimeout{500};
constexpr std::size_t kMaxLingerBytes = 1 << 20;
// Accept fails with EMFILE when we run out of descriptors; retrying at once would spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

struct ReadResult {
  std::optional<BeastRequest> request;    // a complete request
  std::optional<HttpResponse> rejection;  // or an error to answer before closing
  unsigned version = 11;
};

using RequestParser = http::request_parser<http::string_body>;

// Feeds `parser` what the buffer already holds, up to the end of the header or, with
// `through_body`, of the whole request. Nearly every request arrives whole in one read, and parsing
// it here costs no timer and no trip through the event loop, which an asynchronous read of bytes
// already read would. Returns need_more when the buffer runs out first.
ErrorCode ParseBuffered(beast::flat_buffer& buffer, RequestParser& parser, bool through_body) {
  const auto finished = [&] { return through_body ? parser.is_done() : parser.is_header_done(); };
  ErrorCode ec;
  while (!finished() && buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0) break;
  }
  if (!ec && !finished()) ec = http::error::need_more;
  return ec;
}

// Reads the rest of a body that did not come with its header (under the body timeout), after a
// 100 Continue when the client waits for one.
asio::awaitable<ErrorCode> ReadRestOfBody(Connection& connection, RequestParser& parser, unsigned version) {
  beast::tcp_stream& stream = connection.stream;
  // Clients that ask first (curl does for large bodies) would otherwise pause before sending.
  if (version == 11 && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    http::response<http::empty_body> proceed{http::status::continue_, 11};
    if (auto [ec, bytes] = co_await http::async_write(stream, proceed, kNoThrow); ec) co_return ec;
  }
  stream.expires_after(connection.worker.server.options.body_read_timeout);
  auto [ec, bytes] = co_await http::async_read(stream, connection.buffer, parser, kNoThrow);
  co_return ec;
}

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

  RequestParser parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  ErrorCode ec = ParseBuffered(connection.buffer, parser, false);
  if (ec == http::error::need_more) {
    if (!first_request) stream.expires_after(options.header_read_timeout);
    std::tie(ec, std::ignore) = co_await http::async_read_header(stream, connection.buffer, parser, kNoThrow);
  }
  if (ec) co_return ReadResult{std::nullopt, RejectionFor(ec, options)};
  const unsigned version = parser.get().version();
  if (auto problem = FramingProblem(parser.get())) {
    co_return ReadResult{std::nullopt, ProblemResponse(400, "malformed HTTP request: " + *problem), version};
  }
  if (!parser.is_done()) {
    ec = ParseBuffered(connection.buffer, parser, true);
    if (ec == http::error::need_more) ec = co_await ReadRestOfBody(connection, parser, version);
    if (ec) co_return ReadResult{std::nullopt, RejectionFor(ec, options), version};
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
      responder(ProblemResponse(500, "the request handler failed"));
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
  const WireResponse wire = SerializeResponse(std::move(response), version, keep_alive, header_only);
  // Head and body in one gather write: one system call, and the body is not
  // copied after the head first (a list page is some 40 KB).
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(wire.head), asio::buffer(wire.body)};
  const std::size_t size = asio::buffer_size(buffers);
  // First straight into the socket's send buffer, which nearly every response fits: no timer and
  // no trip through the event loop. What does not fit is sent as the socket drains, under the
  // write timeout. (The socket is non-blocking: see Connection.)
  ErrorCode ec;
  const std::size_t sent = connection.stream.socket().write_some(buffers, ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return false;
  if (sent == size) co_return true;
  connection.stream.expires_after(connection.worker.server.options.write_timeout);
  beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(buffers);
  rest.consume(sent);
  std::tie(ec, std::ignore) = co_await asio::async_write(connection.stream, rest, kNoThrow);
  co_return !ec;
}

// Where a stream's wake-ups wait for its connection. Touched only on the connection's thread.
struct StreamSlot {
  bool pending = false;                  // woken since the last read
  asio::steady_timer* wakeup = nullptr;  // null once the connection stopped streaming
};

// Sends `stream` after the headers were written: whatever it has when it wakes us, a heartbeat
// when it stays quiet for its idle interval, until it ends, a write fails or the server stops.
asio::awaitable<void> SendStream(Connection& connection, ResponseStream& stream) {
  auto slot = std::make_shared<StreamSlot>();
  slot->wakeup = &connection.wakeup;
  struct Unhook {
    StreamSlot& slot;
    ~Unhook() { slot.wakeup = nullptr; }
  } unhook{*slot};
  stream.SetWake([gate = connection.worker.gate, slot] {
    gate->Dispatch([slot] {
      slot->pending = true;
      if (slot->wakeup != nullptr) slot->wakeup->cancel();
    });
  });
  connection.streaming = true;
  const auto write_timeout = connection.worker.server.options.write_timeout;
  for (bool open = true; open && !connection.force_closed;) {
    std::string out;
    slot->pending = false;
    open = stream.Read(out) && !connection.worker.stopping;
    if (!out.empty()) {
      connection.stream.expires_after(write_timeout);
      if (auto [ec, bytes] = co_await asio::async_write(connection.stream, asio::buffer(out), kNoThrow); ec) break;
      connection.stream.expires_never();
    }
    // Stop() may have come while we wrote: its cancel found no wait then.
    if (!open || slot->pending || connection.worker.stopping) continue;
    connection.wakeup.expires_after(stream.idle_interval());
    auto [ec] = co_await connection.wakeup.async_wait(kNoThrow);
    if (!ec && !slot->pending && !connection.worker.stopping) {
      const std::string idle = stream.IdleChunk();
      connection.stream.expires_after(write_timeout);
      if (auto [write_ec, bytes] = co_await asio::async_write(connection.stream, asio::buffer(idle), kNoThrow);
          write_ec) {
        break;
      }
      connection.stream.expires_never();
    }
  }
}

// A streamed response is the last on its connection and the client sends nothing more, so a read
// that ends means the client hung up (or sent garbage, which is discarded). Without this, a client
// gone quietly would hold its subscription until the next heartbeat failed to write.
asio::awaitable<void> WatchForHangUp(Connection& connection) {
  std::array<char, 512> discarded;
  for (;;) {
    auto [ec, bytes] = co_await connection.stream.socket().async_read_some(asio::buffer(discarded), kNoThrow);
    if (ec) co_return;
  }
}

// Sends `stream` until it ends or the client goes, whichever comes first; the other is cancelled.
asio::awaitable<void> WriteStream(Connection& connection, ResponseStream& stream) {
  const auto executor = co_await asio::this_coro::executor;
  auto race =
      asio::experimental::make_parallel_group(asio::co_spawn(executor, SendStream(connection, stream), asio::deferred),
                                              asio::co_spawn(executor, WatchForHangUp(connection), asio::deferred));
  auto [order, send_error, watch_error] =
      co_await race.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  stream.Close();
  // What the cancelled side threw on its way out is the cancellation itself.
  if (order[0] == 0 && send_error) std::rethrow_exception(send_error);
  if (order[0] == 1 && watch_error) std::rethrow_exception(watch_error);
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
    if (std::shared_ptr<ResponseStream> stream = response->stream) {
      if (co_await WriteResponse(connection, std::move(*response), read.version, false, header_only) && !header_only) {
        co_await WriteStream(connection, *stream);
      } else {
        stream->Close();
      }
      co_await CloseGracefully(connection);
      co_return;
    }
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
    HttpResponse problem = ProblemResponse(503, "too many open connections");
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

}  // namespace

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
    if (connection->streaming) connection->wakeup.cancel();
  }
}

void ForceClose(Worker& worker) {
  for (Connection* connection : worker.connections) {
    connection->force_closed = true;
    connection->stream.close();
    connection->wakeup.cancel();
  }
}

}  // namespace jobsched::api::server
