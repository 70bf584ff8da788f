#include "executor/http/http_task_runner.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/socket.h>

#include <curl/curl.h>

#include "core/ip_address.hpp"
#include "core/text.hpp"
#include "executor/http/http_status.hpp"
#include "executor/http/webhook_signature.hpp"

namespace jobsched::executor::http {
namespace {

// Headers the runner owns: the receiver's de-duplication depends on them, and
// a job overriding the message framing could corrupt the request.
constexpr std::array<std::string_view, 6> kReservedHeaders{"idempotency-key",  "jobsched-job-id",
                                                           "jobsched-attempt", "jobsched-signature",
                                                           "content-length",   "transfer-encoding"};

bool IsReserved(std::string_view name) {
  return std::any_of(kReservedHeaders.begin(), kReservedHeaders.end(),
                     [name](std::string_view reserved) { return core::EqualsIgnoringCase(name, reserved); });
}

// Everything one request needs after Start() returns. The completion
// callback owns it, and the CurlLoop destroys the callback only after the easy
// handle, so the pointers handed to curl stay valid for the whole transfer.
struct Exchange {
  Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
  ~Exchange() { curl_slist_free_all(headers); }

  curl_slist* headers = nullptr;
  std::string request_body;
  std::string response_body;
  std::size_t body_limit = 0;
  bool body_cut = false;
  std::string reason;  // reason phrase of the last status line, when the server sent one
  std::chrono::milliseconds timeout{0};
  std::optional<int> expect_status;
  // Shared with the runner, which tasks in flight may outlive.
  std::shared_ptr<const TaskHostPolicy> hosts;
  bool host_allowed_by_name = false;  // the URL's host is listed: its addresses need no check
  std::vector<std::string> refused;   // "127.0.0.1 (loopback)", each address curl was not let connect to
  DoneCallback done;
};

// The operator's way out, named in every refusal.
constexpr std::string_view kAllowHint =
    "webhooks may reach only public addresses unless allow_task_hosts (--allow-task-hosts, "
    "JOBSCHED_ALLOW_TASK_HOSTS) lists the address or the host name";

// Called by curl instead of socket(2) for every address it is about to
// connect to, after DNS and for each address it tries: the address checked is
// the address connected to, so a name that resolves to a public address when
// the job is created and to 127.0.0.1 when it runs (DNS rebinding) is refused
// all the same. A refusal makes curl try the next address or fail with
// CURLE_COULDNT_CONNECT, before a byte is sent. See
// docs/decisions/0004-safe-tasks.md.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* exchange = static_cast<Exchange*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  const auto ip = IpAddress::FromSocketAddress(&address->addr, address->addrlen);
  if (!ip) {
    exchange->refused.emplace_back("an address that is not IPv4 or IPv6");
    return CURL_SOCKET_BAD;
  }
  if (!exchange->host_allowed_by_name) {
    if (const auto range = exchange->hosts->RefusedAddress(*ip)) {
      exchange->refused.push_back(ip->ToString() + " (" + std::string(*range) + ")");
      return CURL_SOCKET_BAD;
    }
  }
  // Close-on-exec, so that processes the service starts (shell tasks) do not
  // inherit webhook connections.
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::string RefusalMessage(const std::vector<std::string>& refused) {
  std::string list;
  for (std::size_t i = 0; i < refused.size() && i < 4; ++i) list += (i == 0 ? "" : ", ") + refused[i];
  if (refused.size() > 4) list += ", ...";
  return "refused to connect to " + list + ": " + std::string(kAllowHint);
}

// The host of `url` as curl will see it: curl's own parser decides, so no
// difference between two parsers can smuggle a host past the check.
std::optional<std::string> UrlHost(const std::string& url) {
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return std::nullopt;
  std::optional<std::string> host;
  char* text = nullptr;
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &text, 0) == CURLUE_OK) {
    host = text;
  }
  curl_free(text);
  curl_url_cleanup(parsed);
  return host;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  const std::size_t room = exchange->body_limit - exchange->response_body.size();
  if (bytes > room) {
    // Returning less than we got aborts the transfer (CURLE_WRITE_ERROR): we
    // have all we keep, and reading a large body to the end would be waste.
    exchange->response_body.append(data, room);
    exchange->body_cut = true;
    return 0;
  }
  exchange->response_body.append(data, bytes);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  // A status line ("HTTP/1.1 503 Service Unavailable"); there may be several
  // (100 Continue, then the real one), the last one counts.
  if (line.starts_with("HTTP/")) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    const std::size_t first_space = line.find(' ');
    const std::size_t second_space =
        first_space == std::string_view::npos ? std::string_view::npos : line.find(' ', first_space + 1);
    exchange->reason =
        second_space == std::string_view::npos ? std::string() : std::string(line.substr(second_space + 1));
  }
  return bytes;
}

std::string DefaultUserAgent() {
#ifdef JOBSCHED_VERSION
  return "jobsched/" JOBSCHED_VERSION;
#else
  return "jobsched";
#endif
}

std::chrono::milliseconds EffectiveTimeout(const core::HttpTask& task, const RunContext& context) {
  std::chrono::milliseconds timeout = context.timeout;
  if (task.timeout && *task.timeout < timeout) timeout = *task.timeout;
  // CURLOPT_TIMEOUT_MS of 0 means "never": a misconfigured zero must not
  // turn into an unbounded request.
  return std::max(timeout, std::chrono::milliseconds{1});
}

TaskResult ResultOfResponse(CURL* easy, const Exchange& exchange) {
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  std::string output = "HTTP " + std::to_string(status) + "\n" + exchange.response_body;
  const bool succeeded = exchange.expect_status ? status == *exchange.expect_status : status >= 200 && status <= 299;
  if (succeeded) return TaskResult::Succeeded(std::move(output));

  std::string reason =
      exchange.reason.empty() ? std::string(StandardReason(static_cast<int>(status))) : exchange.reason;
  std::string error = "HTTP " + std::to_string(status) + (reason.empty() ? "" : " " + reason) + " (expected " +
                      (exchange.expect_status ? std::to_string(*exchange.expect_status) : "2xx") + ")";
  return TaskResult::Failed(std::move(error), std::move(output));
}

TaskResult ResultOfCompletion(const CurlCompletion& completion, const Exchange& exchange) {
  CURL* easy = static_cast<CURL*>(completion.easy);
  if (completion.cancelled) return TaskResult::Cancelled("cancelled before the response was complete");
  const auto code = static_cast<CURLcode>(completion.code);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && exchange.body_cut)) {
    return ResultOfResponse(easy, exchange);
  }
  if (!exchange.refused.empty()) return TaskResult::Failed(RefusalMessage(exchange.refused));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TaskResult::TimedOut("timed out after " + std::to_string(exchange.timeout.count()) + " ms");
    case CURLE_COULDNT_CONNECT: {
      long os_error = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_error);
      return TaskResult::Failed((os_error == ECONNREFUSED ? "connection refused: " : "could not connect: ") +
                                completion.error);
    }
    case CURLE_COULDNT_RESOLVE_HOST: return TaskResult::Failed("could not resolve host: " + completion.error);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return TaskResult::Failed("unsupported protocol (only http and https): " + completion.error);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION: return TaskResult::Failed("TLS failed: " + completion.error);
    default: return TaskResult::Failed("request failed: " + completion.error);
  }
}

// The options of every request: where it goes, how it may get there (never
// by proxy, never by redirect), how long it may take, and who is asking.
void SetTransferOptions(CURL* easy, const std::string& url, const std::string& user_agent, Exchange& exchange) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  // Straight to the target, never through a proxy from the environment
  // (http_proxy, ...): the address check must see the address connected to.
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(exchange.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
}

// Sets the task's method and, where it has one, its body (kept in
// `exchange`). Returns whether the request carries a body.
bool SetMethodAndBody(CURL* easy, const core::HttpTask& task, Exchange& exchange) {
  if (task.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (task.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  }
  // PUT and PATCH always carry a body (maybe empty, with Content-Length: 0, as
  // some servers insist); GET and DELETE only when the job gave one.
  const bool has_body = task.method == "POST" || task.method == "PUT" || task.method == "PATCH" ||
                        (task.method != "HEAD" && !task.body.empty());
  if (has_body) {
    exchange.request_body = task.body;
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(exchange.request_body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, exchange.request_body.data());
  }
  if (task.method != "GET" && task.method != "HEAD" && task.method != "POST") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, task.method.c_str());
  }
  return has_body;
}

// The request's header lines: the task's (but never a reserved one), then
// the run's, the signature over `body` when the task is signed, and the
// lines that stop curl adding headers of its own.
std::vector<std::string> HeaderLines(const core::HttpTask& task, const RunContext& context, std::int64_t unix_seconds,
                                     bool has_body, const std::string& body) {
  bool has_content_type = false;
  std::vector<std::string> lines;
  for (const auto& [name, value] : task.headers) {
    if (IsReserved(name)) continue;
    has_content_type = has_content_type || core::EqualsIgnoringCase(name, "content-type");
    // "Name:" would tell curl to remove the header; "Name;" sends it empty.
    lines.push_back(value.empty() ? name + ";" : name + ": " + value);
  }
  lines.push_back("Idempotency-Key: " + std::to_string(context.run_id));
  lines.push_back("Jobsched-Job-Id: " + std::to_string(context.job_id));
  lines.push_back("Jobsched-Attempt: " + std::to_string(context.attempt));
  if (task.signing_secret) {
    lines.push_back("Jobsched-Signature: " +
                    WebhookSignature(*task.signing_secret, unix_seconds, has_body ? body : ""));
  }
  // curl would otherwise label every body as a form and, for large ones, wait
  // for a 100 Continue that many webhook receivers never send.
  if (has_body && !has_content_type) lines.push_back("Content-Type:");
  lines.push_back("Expect:");
  return lines;
}

// Builds the easy handle; everything it points to lives in `exchange`.
// `unix_seconds` is the time a signature carries. nullptr when libcurl
// runs out of memory.
CURL* MakeRequest(const core::HttpTask& task, const RunContext& context, const std::string& user_agent,
                  std::int64_t unix_seconds, Exchange& exchange) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return nullptr;
  SetTransferOptions(easy, task.url, user_agent, exchange);
  const bool has_body = SetMethodAndBody(easy, task, exchange);
  for (const std::string& line : HeaderLines(task, context, unix_seconds, has_body, exchange.request_body)) {
    curl_slist* appended = curl_slist_append(exchange.headers, line.c_str());
    if (appended == nullptr) {
      curl_easy_cleanup(easy);
      return nullptr;
    }
    exchange.headers = appended;
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, exchange.headers);

  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &exchange);
  return easy;
}

// The time a signature carries, in whole seconds since the epoch.
std::int64_t SigningTime(const core::Clock* clock) {
  const core::TimePoint now =
      clock != nullptr ? clock->Now() : std::chrono::floor<core::Milliseconds>(std::chrono::system_clock::now());
  return std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
}

}  // namespace

HttpTaskRunner::HttpTaskRunner(CurlLoop& loop, HttpRunnerOptions options)
    : loop_(loop), options_(std::move(options)), hosts_(std::make_shared<const TaskHostPolicy>(options_.hosts)) {
  if (options_.user_agent.empty()) options_.user_agent = DefaultUserAgent();
}

void HttpTaskRunner::Start(const core::Task& task, const RunContext& context, DoneCallback done) {
  const auto* http = std::get_if<core::HttpTask>(&task);
  if (http == nullptr) {
    done(TaskResult::Failed("the http runner cannot run a " + std::string(core::TaskTypeName(task)) + " task"));
    return;
  }
  std::shared_ptr<Exchange> exchange;
  CURL* easy = nullptr;
  try {
    exchange = std::make_shared<Exchange>();
    exchange->timeout = EffectiveTimeout(*http, context);
    exchange->expect_status = http->expect_status;
    exchange->hosts = hosts_;
    // A URL curl cannot parse fails in curl with its own message; with no
    // host allowed by name, any address it might connect to is checked.
    if (const std::optional<std::string> host = UrlHost(http->url)) {
      exchange->host_allowed_by_name = hosts_->AllowsHostName(*host);
      if (const auto refused = hosts_->RefusedHostName(*host)) {
        done(TaskResult::Failed("refused to connect to " + *host + " (" + std::string(*refused) +
                                "): " + std::string(kAllowHint)));
        return;
      }
    }
    const std::size_t status_line_bytes = std::string_view("HTTP 000\n").size();
    exchange->body_limit = kMaxOutputBytes - status_line_bytes;
    easy = MakeRequest(*http, context, options_.user_agent, SigningTime(options_.clock), *exchange);
  } catch (const std::exception& error) {
    done(TaskResult::Failed(std::string("cannot prepare the request: ") + error.what()));
    return;
  }
  if (easy == nullptr) {
    done(TaskResult::Failed("cannot prepare the request: out of memory in libcurl"));
    return;
  }
  exchange->done = std::move(done);
  loop_.Submit(
      easy,
      [exchange](const CurlCompletion& completion) {
        TaskResult result;
        try {
          result = ResultOfCompletion(completion, *exchange);
        } catch (const std::exception& error) {
          result = TaskResult::Failed(std::string("unexpected error: ") + error.what());
        }
        exchange->done(std::move(result));
      },
      context.stop);
}

}  // namespace jobsched::executor::http
