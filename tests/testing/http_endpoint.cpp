#include "testing/http_endpoint.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jobsched::testing {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string_view UsualReason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Whatever";
  }
}

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int BoundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.sin_port);
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

}  // namespace

std::optional<std::string> RecordedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringCase(key, name)) return value;
  }
  return std::nullopt;
}

HttpEndpoint::HttpEndpoint() {
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = Loopback(0);
  if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 512) != 0) {
    throw std::runtime_error(std::string("cannot listen on loopback: ") + std::strerror(errno));
  }
  port_ = BoundPort(listener_);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpEndpoint::~HttpEndpoint() {
  Stop();
  close(listener_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

std::string HttpEndpoint::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void HttpEndpoint::SetResponse(EndpointResponse response) {
  std::lock_guard lock(mutex_);
  response_ = std::move(response);
}

std::vector<RecordedRequest> HttpEndpoint::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t HttpEndpoint::RequestCount() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

void HttpEndpoint::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stopped_.notify_all();
  const char byte = 1;
  (void)!write(stop_pipe_[1], &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  // The acceptor has ended, so no thread is added any more.
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (std::thread& connection : connections) connection.join();
}

void HttpEndpoint::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, connection] {
      Serve(connection);
      close(connection);
    });
  }
}

std::optional<RecordedRequest> HttpEndpoint::ReadRequest(int connection) {
  std::string data;
  std::size_t header_end = std::string::npos;
  std::size_t body_length = 0;
  char buffer[16384];
  for (;;) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + body_length) break;
    pollfd fds[2] = {{connection, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return std::nullopt;
    if (fds[1].revents != 0) return std::nullopt;
    if (fds[0].revents == 0) continue;
    const ssize_t received = recv(connection, buffer, sizeof buffer, 0);
    if (received <= 0) return std::nullopt;
    data.append(buffer, static_cast<std::size_t>(received));
    if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos) {
      // Content-Length is enough: libcurl sends request bodies with it.
      std::string_view head(data.data(), header_end);
      const std::size_t length_at = [&] {
        std::string lower(head);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        return lower.find("\r\ncontent-length:");
      }();
      if (length_at != std::string::npos) {
        const std::size_t value_at = length_at + std::string_view("\r\ncontent-length:").size();
        const std::size_t value_end = head.find("\r\n", value_at);
        body_length = std::stoul(
            std::string(head.substr(value_at, value_end == std::string_view::npos ? head.npos : value_end - value_at)));
      }
    }
  }

  RecordedRequest request;
  std::string_view head(data.data(), header_end);
  std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const std::size_t first_space = request_line.find(' ');
  const std::size_t second_space = request_line.find(' ', first_space + 1);
  request.method = std::string(request_line.substr(0, first_space));
  request.target = std::string(request_line.substr(first_space + 1, second_space - first_space - 1));
  while (line_end != std::string_view::npos && line_end < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, line_end == std::string_view::npos ? head.npos : line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
  }
  request.body = data.substr(header_end + 4, body_length);
  return request;
}

void HttpEndpoint::Serve(int connection) {
  std::optional<RecordedRequest> request = ReadRequest(connection);
  if (!request) return;
  const bool head = request->method == "HEAD";
  EndpointResponse response;
  {
    std::unique_lock lock(mutex_);
    requests_.push_back(std::move(*request));
    response = response_;
    if (response.delay.count() > 0 && stopped_.wait_for(lock, response.delay, [this] { return stopping_; })) return;
  }
  std::string reply = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      (response.reason.empty() ? std::string(UsualReason(response.status)) : response.reason) +
                      "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) reply += name + ": " + value + "\r\n";
  reply += "\r\n";
  if (!SendAll(connection, reply) || head) return;
  // Fails once a client that has read enough hangs up; that is fine.
  SendAll(connection, response.body);
}

int UnusedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address = Loopback(0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    throw std::runtime_error("bind failed");
  }
  const int port = BoundPort(fd);
  close(fd);
  return port;
}

}  // namespace jobsched::testing
