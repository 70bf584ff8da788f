#include "api/http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <limits>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "api/server/connection.hpp"
#include "core/annotated_mutex.hpp"

namespace jobsched::api {
namespace {

using server::AcceptLoop;
using server::BeginStop;
using server::ErrorCode;
using server::ForceClose;
using server::ServerState;
using server::tcp;
using server::Worker;
namespace asio = boost::asio;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// How long Stop() waits for connections to finish after it has closed them by force.
constexpr std::chrono::milliseconds kForceCloseWait{1000};

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

  // Stop throws only bad_alloc or a failed join, after which threads may
  // still run over this object: terminating, as a destructor's escaping
  // exception does, is the only safe end.
  // NOLINTNEXTLINE(bugprone-exception-escape)
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

  void Stop(std::chrono::milliseconds grace) EXCLUDES(stop_mutex_) {
    core::MutexLock stop_lock(stop_mutex_);
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
  void Run(Worker& worker) EXCLUDES(mutex_) {
    for (;;) {
      try {
        worker.context.run();
        break;
      } catch (...) {  // NOLINT(bugprone-empty-catch): a failed handler must not end the thread
      }
    }
    {
      core::MutexLock lock(mutex_);
      ++finished_threads_;
    }
    threads_finished_.notify_all();
  }

  bool WaitForThreads(std::chrono::steady_clock::time_point deadline) EXCLUDES(mutex_) {
    core::MutexLock lock(mutex_);
    return threads_finished_.wait_until(lock.native(), deadline, [&] {
      mutex_.AssertHeld();
      return finished_threads_ == launched_threads_;
    });
  }

  ServerState server_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::uint16_t port_ = 0;
  unsigned launched_threads_ = 0;  // written before Stop() can run, by the thread in Start()

  core::Mutex stop_mutex_;  // serialises Stop()
  bool stopped_ GUARDED_BY(stop_mutex_) = false;

  core::Mutex mutex_;
  std::condition_variable threads_finished_;
  unsigned finished_threads_ GUARDED_BY(mutex_) = 0;
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

// NOLINTNEXTLINE(bugprone-exception-escape): see ~Impl
HttpServer::~HttpServer() { Stop(); }

std::uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

}  // namespace jobsched::api
