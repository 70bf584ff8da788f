#include "api/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace jobsched::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Upper bound on any single socket wait in these tests, so a bug fails a test instead of
// hanging the suite.
constexpr int kSafetyTimeoutSeconds = 3;

struct ParsedResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

int ConnectTo(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A blocking HTTP/1.1 client that speaks just enough to test the server, byte by byte if need be.
class TestClient {
 public:
  explicit TestClient(std::uint16_t port) : fd_(ConnectTo(port)) {
    if (fd_ < 0) throw std::runtime_error("cannot connect");
    timeval timeout{kSafetyTimeoutSeconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;
  ~TestClient() { Close(); }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  void Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  // Reads one response framed by Content-Length (which a response to HEAD only declares);
  // status 0 if the connection ended first.
  ParsedResponse ReadResponse(bool to_head = false) {
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return {};
    }
    ParsedResponse response;
    const std::string head = buffer_.substr(0, header_end);
    response.status = std::stoi(head.substr(9, 3));
    for (std::size_t line = head.find("\r\n"); line != std::string::npos;) {
      const std::size_t next = head.find("\r\n", line + 2);
      const std::string field = head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
      const std::size_t colon = field.find(':');
      std::string name = field.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      response.headers[name] = field.substr(colon + 2);
      line = next;
    }
    buffer_.erase(0, header_end + 4);
    const auto length_header = response.headers.find("content-length");
    const std::size_t length =
        length_header == response.headers.end() || to_head ? 0 : std::stoul(length_header->second);
    while (buffer_.size() < length) {
      if (!Fill()) return {};
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // Everything received until `marker` has arrived (inclusive of what came with it); empty
  // when the connection ended or timed out first.
  std::string ReadUntil(std::string_view marker) {
    while (buffer_.find(marker) == std::string::npos) {
      if (!Fill()) return {};
    }
    std::string out = std::move(buffer_);
    buffer_.clear();
    return out;
  }

  // True when the server closes the connection (EOF or reset) with nothing more to read.
  bool ReadUntilClosed() {
    char byte;
    const ssize_t received = ::recv(fd_, &byte, 1, 0);
    return received == 0 || (received < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[4096];
    const ssize_t received = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (received <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(received));
    return true;
  }

  int fd_;
  std::string buffer_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

HttpServerOptions TestOptions() {
  HttpServerOptions options;
  options.port = 0;
  options.threads = 1;
  return options;
}

// Answers with what it saw, so tests can check how the request was converted.
void EchoHandler(HttpRequest&& request, Responder respond) {
  HttpResponse response;
  response.SetHeader("X-Method", request.method);
  response.SetHeader("X-Path", request.path);
  response.SetHeader("X-Query", request.query);
  response.SetHeader("X-Remote", request.remote_address);
  response.SetHeader("X-Echo", std::string(request.Header("x-test")));
  response.body = std::move(request.body);
  respond(std::move(response));
}

std::unique_ptr<HttpServer> StartServer(RequestHandler handler, HttpServerOptions options = TestOptions()) {
  auto server = HttpServer::Start(std::move(options), std::move(handler));
  if (!server) throw std::runtime_error("server did not start: " + server.error().message);
  return std::move(server).value();
}

// Hands the responder of each request to the test, which answers when it chooses.
class HeldResponders {
 public:
  RequestHandler Handler() {
    return [this](HttpRequest&&, Responder respond) {
      std::lock_guard lock(mutex_);
      if (given_ == responders_.size()) responders_.emplace_back();
      responders_[given_++].set_value(std::move(respond));
    };
  }
  Responder Next() {
    std::future<Responder> next;
    {
      std::lock_guard lock(mutex_);
      if (taken_ == responders_.size()) responders_.emplace_back();
      next = responders_[taken_++].get_future();
    }
    if (next.wait_for(std::chrono::seconds(kSafetyTimeoutSeconds)) != std::future_status::ready) {
      throw std::runtime_error("no request arrived");
    }
    return next.get();
  }

 private:
  std::mutex mutex_;
  std::deque<std::promise<Responder>> responders_;  // deque: promises stay put as it grows
  std::size_t given_ = 0;
  std::size_t taken_ = 0;
};

// A ResponseStream the test feeds: Push() makes text ready and wakes the server.
class TestStream final : public ResponseStream {
 public:
  explicit TestStream(milliseconds idle = milliseconds{60'000}) : idle_(idle) {}

  void Push(std::string text, bool end = false) {
    std::function<void()> wake;
    {
      std::lock_guard lock(mutex_);
      ready_ += text;
      ended_ = ended_ || end;
      wake = wake_;
    }
    if (wake) wake();
  }
  bool closed() const { return closed_; }

  void SetWake(std::function<void()> wake) override {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }
  bool Read(std::string& out) override {
    std::lock_guard lock(mutex_);
    out += ready_;
    ready_.clear();
    return !ended_;
  }
  std::string IdleChunk() override { return ": idle\n\n"; }
  milliseconds idle_interval() const override { return idle_; }
  void Close() override {
    std::lock_guard lock(mutex_);
    wake_ = nullptr;
    closed_ = true;
  }

 private:
  const milliseconds idle_;
  std::mutex mutex_;
  std::string ready_;
  bool ended_ = false;
  std::atomic<bool> closed_{false};
  std::function<void()> wake_;
};

HttpResponse Streamed(std::shared_ptr<TestStream> stream) {
  HttpResponse response;
  response.SetHeader("Content-Type", "text/event-stream");
  response.stream = std::move(stream);
  return response;
}

TEST(HttpServer, ReportsTheBoundPortWhenStartedOnPortZero) {
  auto server = StartServer(EchoHandler);

  EXPECT_NE(server->port(), 0);
}

TEST(HttpServer, PassesMethodPathQueryHeadersAndBodyToTheHandler) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  client.Send(
      "POST /jobs/42?limit=10&x=y HTTP/1.1\r\nHost: test\r\nX-Test: hello\r\n"
      "Content-Length: 5\r\n\r\nabcde");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("x-method"), "POST");
  EXPECT_EQ(response.headers.at("x-path"), "/jobs/42");
  EXPECT_EQ(response.headers.at("x-query"), "limit=10&x=y");
  EXPECT_EQ(response.headers.at("x-echo"), "hello");
  EXPECT_EQ(response.headers.at("x-remote"), "127.0.0.1");
  EXPECT_EQ(response.headers.at("server"), "jobsched");
  EXPECT_EQ(response.headers.at("content-length"), "5");
  EXPECT_EQ(response.body, "abcde");
}

TEST(HttpServer, ServesSeveralRequestsOnOneKeepAliveConnection) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  for (const std::string path : {"/one", "/two", "/three"}) {
    client.Send(Get(path));
    const ParsedResponse response = client.ReadResponse();

    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.headers.at("x-path"), path);
    EXPECT_EQ(response.headers.count("connection"), 0U);
  }
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  HeldResponders held;
  auto server = StartServer(held.Handler());
  TestClient client(server->port());

  client.Send(Get("/first") + Get("/second") + Get("/third"));
  // Answered one by one: each request reaches the handler only after the previous answer.
  for (const std::string name : {"first", "second", "third"}) {
    held.Next()(HttpResponse{200, {}, name, nullptr});
    const ParsedResponse response = client.ReadResponse();

    EXPECT_EQ(response.body, name);
  }
}

TEST(HttpServer, AnswersPipelinedRequestsWithBodiesEachWithItsOwnBody) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  // Both requests come in one read: the first body must end where its Content-Length says.
  client.Send(
      "POST /a HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nonePOST /b HTTP/1.1\r\nHost: test\r\n"
      "Content-Length: 5\r\n\r\nthree");
  const ParsedResponse first = client.ReadResponse();
  const ParsedResponse second = client.ReadResponse();

  EXPECT_EQ(first.headers.at("x-path"), "/a");
  EXPECT_EQ(first.body, "one");
  EXPECT_EQ(second.headers.at("x-path"), "/b");
  EXPECT_EQ(second.body, "three");
}

TEST(HttpServer, ReadsARequestWhoseHeaderAndBodyArriveInPieces) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  // Each pause makes the server's read end with part of the request: what is parsed at once
  // must pick up where the waiting reads continue.
  client.Send("POST /pieces HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(milliseconds(50));
  client.Send("st: test\r\nContent-Length: 6\r\n\r\nabc");
  std::this_thread::sleep_for(milliseconds(50));
  client.Send("def");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("x-path"), "/pieces");
  EXPECT_EQ(response.body, "abcdef");
}

TEST(HttpServer, SendsAResponseLargerThanTheSocketBuffersWholeToAClientThatReadsLate) {
  // Far more than loopback's send and receive buffers hold, so the first write sends only part
  // and the rest must follow as the client reads.
  std::string large;
  for (int i = 0; large.size() < (24U << 20); ++i) large += "chunk " + std::to_string(i) + "\n";
  auto server = StartServer([&large](HttpRequest&& request, Responder respond) {
    respond(HttpResponse{200, {}, request.path == "/large" ? large : "small", nullptr});
  });
  TestClient client(server->port());

  client.Send(Get("/large"));
  std::this_thread::sleep_for(milliseconds(300));
  const ParsedResponse response = client.ReadResponse();
  client.Send(Get("/after"));
  const ParsedResponse after = client.ReadResponse();

  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body == large) << "got " << response.body.size() << " of " << large.size() << " bytes";
  EXPECT_EQ(after.body, "small");
}

TEST(HttpServer, AcceptsAResponderCalledLaterFromAnotherThread) {
  HeldResponders held;
  auto server = StartServer(held.Handler());
  TestClient client(server->port());

  client.Send(Get("/later"));
  Responder respond = held.Next();
  std::thread([respond = std::move(respond)] { respond(HttpResponse{202, {}, "done", nullptr}); }).join();
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, "done");
}

TEST(HttpServer, AnswersOversizedBodyWith413WithoutReadingIt) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  client.Send("POST /jobs HTTP/1.1\r\nHost: test\r\nContent-Length: 100000000\r\n\r\n");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.headers.at("content-type"), "application/problem+json");
  EXPECT_EQ(response.headers.at("connection"), "close");
  EXPECT_EQ(response.body, R"({"type":"about:blank","title":"Content Too Large","status":413,)"
                           R"("detail":"request body exceeds 1048576 bytes"})");
  EXPECT_TRUE(client.ReadUntilClosed());
}

TEST(HttpServer, AnswersChunkedBodyOverTheLimitWith413) {
  HttpServerOptions options = TestOptions();
  options.max_body_bytes = 8;
  auto server = StartServer(EchoHandler, options);
  TestClient client(server->port());

  client.Send(
      "POST /jobs HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\n0123456789abcdef\r\n0\r\n\r\n");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 413);
  EXPECT_TRUE(client.ReadUntilClosed());
}

// Issue #14, RFC 9112 §6.1: a body whose length the server and a proxy in
// front could read differently is refused, and the connection closed, so
// bytes meant as this request's body are never read as a request of their own.
struct SmugglingCase {
  const char* name;
  std::string head;  // request line and fields, without the blank line
  std::string body;  // ends with a complete request the server must never answer
};

std::vector<SmugglingCase> SmugglingCases() {
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n";
  const std::string chunk = "0\r\n\r\n" + smuggled;  // an empty chunked body, then the smuggled request
  const std::string post = "POST /jobs HTTP/1.1\r\nHost: test\r\n";
  const std::string length = "Content-Length: " + std::to_string(smuggled.size()) + "\r\n";
  return {
      {"chunked then identity", post + "Transfer-Encoding: chunked, identity\r\n", chunk},
      {"chunked twice in one field", post + "Transfer-Encoding: chunked, chunked\r\n", chunk},
      {"identity", post + "Transfer-Encoding: identity\r\n", smuggled},
      {"xchunked", post + "Transfer-Encoding: xchunked\r\n", chunk},
      {"empty value", post + "Transfer-Encoding: \r\n", smuggled},
      {"gzip with Content-Length", post + "Transfer-Encoding: gzip\r\n" + length, smuggled},
      {"gzip then chunked", post + "Transfer-Encoding: gzip, chunked\r\n", chunk},
      {"gzip field then chunked field", post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", chunk},
      {"chunked with a parameter", post + "Transfer-Encoding: chunked;x=1\r\n", chunk},
      {"Content-Length then chunked", post + length + "Transfer-Encoding: chunked\r\n", chunk},
      {"chunked then Content-Length", post + "Transfer-Encoding: chunked\r\n" + length, chunk},
      {"chunked in HTTP/1.0", "POST /jobs HTTP/1.0\r\nHost: test\r\nTransfer-Encoding: chunked\r\n", chunk},
  };
}

TEST(HttpServer, RefusesEveryAmbiguousBodyFramingWith400AndClosesWithoutReadingOn) {
  for (const SmugglingCase& shape : SmugglingCases()) {
    SCOPED_TRACE(shape.name);
    std::atomic<int> handled{0};
    auto server = StartServer([&handled](HttpRequest&& request, Responder respond) {
      ++handled;
      EchoHandler(std::move(request), std::move(respond));
    });
    TestClient client(server->port());

    client.Send(shape.head + "\r\n" + shape.body);
    ParsedResponse response = client.ReadResponse();

    EXPECT_EQ(response.status, 400);
    // HTTP/1.0 closes unless told otherwise, so its answer need not say so.
    if (shape.head.find("HTTP/1.0") == std::string::npos) {
      EXPECT_EQ(response.headers["connection"], "close");
    }
    EXPECT_TRUE(response.body.find("Transfer-Encoding") != std::string::npos ||
                response.body.find("Content-Length") != std::string::npos)
        << response.body;
    EXPECT_TRUE(client.ReadUntilClosed()) << "the smuggled request was answered";
    EXPECT_EQ(handled.load(), 0);
  }
}

TEST(HttpServer, ReadsAChunkedBodyWhateverTheCaseOfTheCoding) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  client.Send("POST /jobs HTTP/1.1\r\nHost: test\r\nTransfer-Encoding:  Chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  const ParsedResponse first = client.ReadResponse();
  client.Send(Get("/after"));
  ParsedResponse second = client.ReadResponse();

  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "hello");
  EXPECT_EQ(second.headers["x-path"], "/after");
}

TEST(HttpServer, AnswersOversizedHeaderWith431) {
  HttpServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  auto server = StartServer(EchoHandler, options);
  TestClient client(server->port());

  client.Send(Get("/", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(response.headers.at("content-type"), "application/problem+json");
  EXPECT_TRUE(client.ReadUntilClosed());
}

TEST(HttpServer, AnswersMalformedRequestWith400AndCloses) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  client.Send("NOT\"HTTP\r\n\r\n");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.headers.at("content-type"), "application/problem+json");
  EXPECT_NE(response.body.find(R"("status":400)"), std::string::npos);
  EXPECT_TRUE(client.ReadUntilClosed());
}

TEST(HttpServer, ClosesAnIdleKeepAliveConnectionAfterTheIdleTimeout) {
  HttpServerOptions options = TestOptions();
  options.idle_timeout = milliseconds{200};
  auto server = StartServer(EchoHandler, options);
  TestClient client(server->port());
  // Taken before the request: the server's idle time starts after its answer, so this is earlier.
  const auto idle_since = steady_clock::now();
  client.Send(Get("/"));
  ASSERT_EQ(client.ReadResponse().status, 200);

  const bool closed = client.ReadUntilClosed();

  EXPECT_TRUE(closed);
  EXPECT_GE(steady_clock::now() - idle_since, milliseconds{150});
}

TEST(HttpServer, DropsAConnectionThatTricklesItsHeaders) {
  HttpServerOptions options = TestOptions();
  options.header_read_timeout = milliseconds{200};
  auto server = StartServer(EchoHandler, options);
  // Taken before connecting: the server counts from its accept, which is later.
  const auto connected_at = steady_clock::now();
  TestClient client(server->port());

  client.Send("GET / HTTP/1.1\r\nHost: te");
  const bool closed = client.ReadUntilClosed();

  EXPECT_TRUE(closed);
  EXPECT_GE(steady_clock::now() - connected_at, milliseconds{150});
}

TEST(HttpServer, LetsARequestInFlightCompleteDuringStop) {
  HeldResponders held;
  auto server = StartServer(held.Handler());
  TestClient client(server->port());
  client.Send(Get("/slow"));
  Responder respond = held.Next();
  const std::uint16_t port = server->port();

  auto stopped = std::async(std::launch::async, [&] { server->Stop(milliseconds{5000}); });
  // Stop() has begun once the listening socket refuses connections.
  const auto deadline = steady_clock::now() + std::chrono::seconds(kSafetyTimeoutSeconds);
  for (int fd; (fd = ConnectTo(port)) >= 0 && steady_clock::now() < deadline;) {
    ::close(fd);
    std::this_thread::yield();
  }
  const bool stop_waited = stopped.wait_for(milliseconds{0}) == std::future_status::timeout;
  respond(HttpResponse{200, {}, "finished", nullptr});
  const ParsedResponse response = client.ReadResponse();

  EXPECT_TRUE(stop_waited);
  EXPECT_EQ(response.body, "finished");
  EXPECT_EQ(response.headers.at("connection"), "close");
  EXPECT_TRUE(client.ReadUntilClosed());
  client.Close();  // lets the server finish its lingering close at once
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(kSafetyTimeoutSeconds)), std::future_status::ready);
}

TEST(HttpServer, StopClosesIdleConnectionsWithoutWaitingForTheGracePeriod) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());
  client.Send(Get("/"));
  ASSERT_EQ(client.ReadResponse().status, 200);
  const auto stop_started = steady_clock::now();

  server->Stop(milliseconds{10'000});

  EXPECT_LT(steady_clock::now() - stop_started, milliseconds{2000});
  EXPECT_TRUE(client.ReadUntilClosed());
}

TEST(HttpServer, StopClosesARequestWhoseHandlerNeverAnswersAfterTheGracePeriod) {
  HeldResponders held;
  auto server = StartServer(held.Handler());
  TestClient client(server->port());
  client.Send(Get("/never"));
  Responder respond = held.Next();

  server->Stop(milliseconds{50});

  EXPECT_TRUE(client.ReadUntilClosed());
  respond(HttpResponse{});  // after Stop(): ignored, must not crash
}

TEST(HttpServer, Answers500WhenTheHandlerDropsItsResponder) {
  auto server = StartServer([](HttpRequest&&, Responder) {});
  TestClient client(server->port());

  client.Send(Get("/"));
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.headers.at("content-type"), "application/problem+json");
}

TEST(HttpServer, Answers500WhenTheHandlerThrows) {
  auto server = StartServer([](HttpRequest&&, Responder) { throw std::runtime_error("bug"); });
  TestClient client(server->port());

  client.Send(Get("/"));
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 500);
}

TEST(HttpServer, Answers503BeyondMaxConnections) {
  HttpServerOptions options = TestOptions();
  options.max_connections = 1;
  auto server = StartServer(EchoHandler, options);
  TestClient first(server->port());
  first.Send(Get("/"));
  ASSERT_EQ(first.ReadResponse().status, 200);

  TestClient second(server->port());
  const ParsedResponse response = second.ReadResponse();

  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.headers.at("content-type"), "application/problem+json");
  EXPECT_TRUE(second.ReadUntilClosed());
}

TEST(HttpServer, ClosesAfterAnHttp10RequestWithoutKeepAlive) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  client.Send("GET / HTTP/1.0\r\n\r\n");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(client.ReadUntilClosed());
}

TEST(HttpServer, ClosesWhenTheResponseAsksForIt) {
  auto server =
      StartServer([](HttpRequest&&, Responder respond) { respond(HttpResponse{}.SetHeader("Connection", "close")); });
  TestClient client(server->port());

  client.Send(Get("/"));
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(response.headers.at("connection"), "close");
  EXPECT_TRUE(client.ReadUntilClosed());
}

TEST(HttpServer, SendsContinueBeforeReadingABodyWhenAsked) {
  auto server = StartServer(EchoHandler);
  TestClient client(server->port());

  client.Send("PUT /x HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  const ParsedResponse interim = client.ReadResponse();
  client.Send("abc");
  const ParsedResponse response = client.ReadResponse();

  EXPECT_EQ(interim.status, 100);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "abc");
}

TEST(HttpServer, AnswersHeadWithTheLengthButNoBody) {
  auto server = StartServer([](HttpRequest&&, Responder respond) {
    respond(HttpResponse{200, {}, "twelve bytes", nullptr});
  });
  TestClient client(server->port());

  client.Send("HEAD / HTTP/1.1\r\nHost: test\r\n\r\n" + Get("/"));
  const ParsedResponse head = client.ReadResponse(/*to_head=*/true);
  // The next response must start right after the HEAD response's header.
  const ParsedResponse get = client.ReadResponse();

  EXPECT_EQ(head.headers.at("content-length"), "12");
  EXPECT_EQ(get.body, "twelve bytes");
}

TEST(HttpServer, ServesConcurrentConnectionsOnSeveralThreads) {
  HttpServerOptions options = TestOptions();
  options.threads = 2;
  auto server = StartServer(EchoHandler, options);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(std::make_unique<TestClient>(server->port()));

  for (auto& client : clients) client->Send(Get("/many"));

  for (auto& client : clients) EXPECT_EQ(client->ReadResponse().status, 200);
}

TEST(HttpServer, RefusesAHostThatIsNotAnIpAddress) {
  HttpServerOptions options = TestOptions();
  options.host = "not an address";

  auto server = HttpServer::Start(options, EchoHandler);

  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, core::ErrorCode::kInvalidArgument);
}

TEST(HttpServer, FailsToStartOnAPortTakenByAnotherProgram) {
  // A plain listening socket without SO_REUSEPORT, as another program would hold it.
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t length = sizeof(address);
  ::getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length);
  HttpServerOptions options = TestOptions();
  options.port = ntohs(address.sin_port);

  auto server = HttpServer::Start(options, EchoHandler);

  ::close(taken);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, core::ErrorCode::kUnavailable);
}

TEST(HttpServer, RefusesAPortAnotherJobschedAlreadyServes) {
  // The first server listens with SO_REUSEPORT, which alone would let a
  // second one join the port and split its traffic.
  auto first = HttpServer::Start(TestOptions(), EchoHandler);
  ASSERT_TRUE(first.ok());
  HttpServerOptions options = TestOptions();
  options.port = (*first)->port();

  auto second = HttpServer::Start(options, EchoHandler);

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, core::ErrorCode::kUnavailable);
}

TEST(HttpServer, StreamsABodyAsItComesAndClosesTheConnectionAtItsEnd) {
  auto stream = std::make_shared<TestStream>();
  stream->Push("first\n");
  auto server = StartServer([stream](HttpRequest&&, Responder respond) { respond(Streamed(stream)); });
  TestClient client(server->port());
  client.Send(Get("/events"));

  const std::string head = client.ReadUntil("first\n");
  std::thread([stream] { stream->Push("second\n", true); }).join();
  const std::string rest = client.ReadUntil("second\n");

  EXPECT_NE(head.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  EXPECT_EQ(rest, "second\n");
  EXPECT_TRUE(client.ReadUntilClosed());
  for (int i = 0; i < 100 && !stream->closed(); ++i) std::this_thread::sleep_for(milliseconds{10});
  EXPECT_TRUE(stream->closed());
}

TEST(HttpServer, SendsTheStreamsIdleChunkWhenItStaysQuiet) {
  auto stream = std::make_shared<TestStream>(milliseconds{50});
  auto server = StartServer([stream](HttpRequest&&, Responder respond) { respond(Streamed(stream)); });
  TestClient client(server->port());
  client.Send(Get("/events"));

  const std::string received = client.ReadUntil(": idle\n\n");

  EXPECT_NE(received.find(": idle\n\n"), std::string::npos);
  stream->Push("", true);
}

TEST(HttpServer, ClosesTheStreamWhenTheClientGoesAway) {
  auto stream = std::make_shared<TestStream>(milliseconds{20});
  stream->Push("hello\n");
  auto server = StartServer([stream](HttpRequest&&, Responder respond) { respond(Streamed(stream)); });
  {
    TestClient client(server->port());
    client.Send(Get("/events"));
    ASSERT_FALSE(client.ReadUntil("hello\n").empty());
  }

  // The next heartbeat's write fails on the closed socket.
  for (int i = 0; i < 300 && !stream->closed(); ++i) std::this_thread::sleep_for(milliseconds{10});

  EXPECT_TRUE(stream->closed());
}

TEST(HttpServer, ClosesTheStreamAsSoonAsTheClientHangsUpWithoutWaitingForAHeartbeat) {
  auto stream = std::make_shared<TestStream>(milliseconds{60'000});
  stream->Push("hello\n");
  auto server = StartServer([stream](HttpRequest&&, Responder respond) { respond(Streamed(stream)); });
  {
    TestClient client(server->port());
    client.Send(Get("/events"));
    ASSERT_FALSE(client.ReadUntil("hello\n").empty());
  }

  // Nothing is written for a minute, so only the server's read can notice.
  for (int i = 0; i < 1500 && !stream->closed(); ++i) std::this_thread::sleep_for(milliseconds{10});

  EXPECT_TRUE(stream->closed());
}

TEST(HttpServer, StopEndsStreamsInFlight) {
  auto stream = std::make_shared<TestStream>();
  stream->Push("hello\n");
  auto server = StartServer([stream](HttpRequest&&, Responder respond) { respond(Streamed(stream)); });
  TestClient client(server->port());
  client.Send(Get("/events"));
  ASSERT_FALSE(client.ReadUntil("hello\n").empty());

  const auto started = steady_clock::now();
  server->Stop(std::chrono::seconds{2});

  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds{2}) << "the stream held Stop() to its grace";
  EXPECT_TRUE(stream->closed());
  EXPECT_TRUE(client.ReadUntilClosed());
}

}  // namespace
}  // namespace jobsched::api
