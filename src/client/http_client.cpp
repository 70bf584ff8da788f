#include "client/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

namespace jobsched::client {
namespace {

// libcurl's global state, once per process (the client works from one
// thread: one request at a time, beside at most one HttpStream).
bool CurlReady() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* answer) {
  static_cast<HttpAnswer*>(answer)->body.append(data, size * count);
  return size * count;
}

// A header line into `headers` (lower-case name); false when it is none
// (the status line, the blank line ending the head).
bool ParseHeader(std::string_view line, std::map<std::string, std::string>& headers) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  std::string value(line.substr(colon + 1));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
  headers[name] = value;
  return true;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* answer) {
  ParseHeader(std::string_view(data, size * count), static_cast<HttpAnswer*>(answer)->headers);
  return size * count;
}

// What went wrong, and what to check, for a request that got no answer.
core::Error NoAnswer(const ConnectionSettings& settings, CURLcode code, const char* detail) {
  std::string message = "cannot reach the jobsched service at " + settings.server + ": " +
                        (detail[0] != '\0' ? std::string(detail) : std::string(curl_easy_strerror(code)));
  if (code == CURLE_COULDNT_CONNECT) {
    message += " (is `jobsched serve` running there? set --server, JOBSCHED_SERVER or a profile)";
  } else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
             code == CURLE_SSL_CONNECT_ERROR) {
    message += " (TLS: for a certificate of your own CA, pass its PEM file with --cacert)";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    message += " (no answer in time)";
  }
  return core::Error::Unavailable(message);
}

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

Headers RequestHeaders(const ConnectionSettings& settings, const HttpCall& call) {
  curl_slist* list = nullptr;
  list = curl_slist_append(list, ("Accept: " + call.accept).c_str());
  if (call.body) list = curl_slist_append(list, ("Content-Type: " + call.content_type).c_str());
  if (!settings.token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + settings.token).c_str());
  for (const auto& [name, value] : call.headers) {
    std::string line = name;
    line.append(": ").append(value);
    list = curl_slist_append(list, line.c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  return Headers(list, curl_slist_free_all);
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The options every request shares: where, how, as whom (`headers`), and
// `error` for libcurl's message.
void SetUp(CURL* handle, const ConnectionSettings& settings, const HttpCall& call, const std::string& url,
           const curl_slist* headers, char* error) {
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (call.body) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, call.body->c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body->size()));
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  if (!settings.cacert.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, settings.cacert.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
}

// An HttpStream's transfer, driven by a multi handle so that it can be
// waited on for a while at a time. Destroyed in reverse: the handle leaves
// the multi handle, then each is cleaned up, the header list last.
using Multi = std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)>;
struct StreamState {
  std::string server;
  std::string url;
  Headers headers{nullptr, curl_slist_free_all};
  Easy easy{nullptr, curl_easy_cleanup};
  Multi multi{nullptr, curl_multi_cleanup};
  char error[CURL_ERROR_SIZE] = {};
  HttpAnswer head;  // status and headers; the body goes to `body`
  bool head_done = false;
  std::string body;  // arrived, not yet read
  bool ended = false;
  CURLcode result = CURLE_OK;

  StreamState() = default;
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;
  ~StreamState() {
    if (multi && easy) curl_multi_remove_handle(multi.get(), easy.get());
  }
};

std::size_t OnStreamBody(char* data, std::size_t size, std::size_t count, void* state) {
  static_cast<StreamState*>(state)->body.append(data, size * count);
  return size * count;
}

// The status line starts a head (again, after a 1xx), the blank line ends it.
std::size_t OnStreamHeader(char* data, std::size_t size, std::size_t count, void* state_pointer) {
  auto& state = *static_cast<StreamState*>(state_pointer);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    state.head = HttpAnswer{};
    const std::size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      const std::string_view code = line.substr(space + 1, 3);
      std::from_chars(code.data(), code.data() + code.size(), state.head.status);
    }
  } else if (line == "\r\n" || line == "\n") {
    if (state.head.status >= 200) state.head_done = true;
  } else {
    ParseHeader(line, state.head.headers);
  }
  return size * count;
}

// Lets libcurl move the transfer on, and notes when it has ended.
void Pump(StreamState& state) {
  int running = 0;
  curl_multi_perform(state.multi.get(), &running);
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(state.multi.get(), &queued)) {
    if (message->msg == CURLMSG_DONE) {
      state.ended = true;
      state.result = message->data.result;
    }
  }
}

// Waits up to `wait` for something to happen on the transfer.
void Await(StreamState& state, std::chrono::steady_clock::duration wait) {
  const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
  curl_multi_poll(state.multi.get(), nullptr, 0, static_cast<int>(std::clamp<std::int64_t>(wait_ms, 0, 60'000)),
                  nullptr);
  Pump(state);
}

}  // namespace

core::Result<HttpAnswer> SendHttp(const ConnectionSettings& settings, const HttpCall& call) {
  if (!CurlReady()) return core::Error::Internal("libcurl could not be initialised");
  Easy easy(curl_easy_init(), curl_easy_cleanup);
  if (!easy) return core::Error::Internal("libcurl could not make a handle");
  HttpAnswer answer;
  const std::string url = settings.server + call.target;
  Headers headers = RequestHeaders(settings, call);
  char error[CURL_ERROR_SIZE] = {};
  CURL* handle = easy.get();
  SetUp(handle, settings, call, url, headers.get(), error);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &answer);
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) return NoAnswer(settings, code, error);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  return answer;
}

std::string CurlCommand(const ConnectionSettings& settings, const HttpCall& call) {
  std::string command = "curl -sS";
  if (call.method != "GET") command += " -X " + call.method;
  if (!settings.token.empty()) command += " -H \"Authorization: Bearer $JOBSCHED_TOKEN\"";
  for (const auto& [name, value] : call.headers) {
    std::string line = name;
    line.append(": ").append(value);
    command += " -H " + ShellQuote(line);
  }
  if (call.body) {
    command += " -H " + ShellQuote("Content-Type: " + call.content_type);
    command += " --data-binary " + ShellQuote(*call.body);
  }
  if (!settings.cacert.empty()) command += " --cacert " + ShellQuote(settings.cacert);
  return command + " " + ShellQuote(settings.server + call.target);
}

struct HttpStream::Transfer : StreamState {};

HttpStream::HttpStream(std::unique_ptr<Transfer> transfer) : transfer_(std::move(transfer)) {}
HttpStream::~HttpStream() = default;

int HttpStream::status() const { return transfer_->head.status; }
const std::map<std::string, std::string>& HttpStream::headers() const { return transfer_->head.headers; }

core::Result<std::unique_ptr<HttpStream>> HttpStream::Open(const ConnectionSettings& settings, const HttpCall& call) {
  if (!CurlReady()) return core::Error::Internal("libcurl could not be initialised");
  auto state = std::make_unique<Transfer>();
  state->server = settings.server;
  state->url = settings.server + call.target;
  state->headers = RequestHeaders(settings, call);
  state->easy.reset(curl_easy_init());
  state->multi.reset(curl_multi_init());
  if (!state->easy || !state->multi) return core::Error::Internal("libcurl could not make a handle");
  CURL* handle = state->easy.get();
  SetUp(handle, settings, call, state->url, state->headers.get(), state->error);
  StreamState* shared = state.get();
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnStreamBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, shared);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnStreamHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, shared);
  curl_multi_add_handle(state->multi.get(), handle);
  const auto deadline = std::chrono::steady_clock::now() + settings.timeout;
  Pump(*state);
  while (!state->head_done && !state->ended) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      return NoAnswer(settings, CURLE_OPERATION_TIMEDOUT, "");
    }
    Await(*state, left);
  }
  if (!state->head_done) {
    return NoAnswer(settings, state->result == CURLE_OK ? CURLE_GOT_NOTHING : state->result, state->error);
  }
  return std::unique_ptr<HttpStream>(new HttpStream(std::move(state)));
}

core::Result<std::string> HttpStream::Read(std::chrono::milliseconds wait) {
  Transfer& state = *transfer_;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  Pump(state);
  for (;;) {
    if (!state.body.empty()) return std::exchange(state.body, std::string());
    if (state.ended) {
      const std::string why = state.result == CURLE_OK ? std::string("the service closed it")
                              : state.error[0] != '\0' ? std::string(state.error)
                                                       : std::string(curl_easy_strerror(state.result));
      return core::Error::Unavailable("the answer of " + state.url + " ended: " + why);
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return std::string();
    Await(state, left);
  }
}

}  // namespace jobsched::client
