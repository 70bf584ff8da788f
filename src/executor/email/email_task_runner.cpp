#include "executor/email/email_task_runner.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <curl/curl.h>

#include "core/annotated_mutex.hpp"
#include "core/ip_address.hpp"
#include "core/text.hpp"
#include "executor/email/email_message.hpp"

namespace jobsched::executor::email {
namespace {

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

struct Delivery;

// Which delivery opened each open SMTP socket. libcurl 7.88 waits for some
// SMTP replies in a blocking poll that nothing but the socket can interrupt:
// stopping a run shuts its socket down, which ends that poll at once. A
// connection can outlive its delivery in libcurl's cache, so the close
// callback must not touch the delivery: it only edits this registry. One
// mutex keeps shutdown and close apart, so a descriptor number reused
// elsewhere is never shut down by mistake.
class SocketRegistry {
 public:
  static SocketRegistry& Instance() {
    static SocketRegistry registry;  // lives as long as the process: sockets may close at exit
    return registry;
  }
  void Opened(curl_socket_t fd, const Delivery* owner) {
    core::MutexLock lock(mutex_);
    owners_[fd] = owner;
  }
  int Close(curl_socket_t fd) {
    core::MutexLock lock(mutex_);
    owners_.erase(fd);
    return ::close(fd);
  }
  void ShutdownOwnedBy(const Delivery* owner) {
    core::MutexLock lock(mutex_);
    for (const auto& [fd, holder] : owners_) {
      if (holder == owner) ::shutdown(fd, SHUT_RDWR);
    }
  }
  void Forget(const Delivery* owner) {
    core::MutexLock lock(mutex_);
    std::erase_if(owners_, [owner](const auto& entry) { return entry.second == owner; });
  }

 private:
  core::Mutex mutex_;
  std::map<curl_socket_t, const Delivery*> owners_ GUARDED_BY(mutex_);
};

// Everything one SMTP transaction needs after Start() returns; owned by the
// completion callback, which the CurlLoop destroys only after the handle.
struct Delivery {
  Delivery() = default;
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;
  ~Delivery() {
    on_stop.reset();
    SocketRegistry::Instance().Forget(this);
    curl_slist_free_all(recipients);
  }

  std::string message;
  std::size_t sent = 0;  // bytes of `message` handed to curl so far
  std::string mail_from;
  curl_slist* recipients = nullptr;
  std::string summary;       // "to a@x, b@y; cc c@z\nMessage-ID: <...>"
  std::string last_reply;    // the server's latest reply line
  std::string url;           // the server's, for error messages
  bool credentials = false;  // whether the transfer would log in
  std::chrono::milliseconds timeout{0};
  DoneCallback done;

  // Shuts this delivery's sockets down when its run is stopped.
  std::optional<std::stop_callback<std::function<void()>>> on_stop;
  std::stop_token stop;
};

curl_socket_t OpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  const curl_socket_t fd = ::socket(address->family, address->socktype, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  SocketRegistry::Instance().Opened(fd, static_cast<const Delivery*>(user));
  return fd;
}

int CloseSocket(void*, curl_socket_t fd) { return SocketRegistry::Instance().Close(fd); }

std::size_t ReadMessage(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* delivery = static_cast<Delivery*>(user);
  const std::size_t bytes = std::min(size * count, delivery->message.size() - delivery->sent);
  // Bytes for libcurl's upload buffer, not a C string: no terminator wanted.
  // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
  std::memcpy(buffer, delivery->message.data() + delivery->sent, bytes);
  delivery->sent += bytes;
  return bytes;
}

// curl hands SMTP reply lines to the header callback; they end up in the
// output and in error messages, where "550 no such user" says more than
// curl's summary.
std::size_t OnReply(char* data, std::size_t size, std::size_t count, void* user) {
  auto* delivery = static_cast<Delivery*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  // "221" answers our QUIT as the connection closes; the reply worth
  // keeping is the one about the message, before it.
  if (!line.empty() && line.substr(0, 3) != "221") delivery->last_reply.assign(line.substr(0, 512));
  return size * count;
}

std::string JoinAddresses(const std::vector<std::string>& addresses) {
  std::string out;
  for (const std::string& address : addresses) {
    if (!out.empty()) out += ", ";
    out += address;
  }
  return out;
}

// The authority of an smtp:// or smtps:// URL: what lies between "://" and
// the path.
std::string_view Authority(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const std::string_view rest = url.substr(scheme_end + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

bool HasCredentials(const EmailOptions& options) {
  return !options.username.empty() || Authority(options.smtp_url).find('@') != std::string_view::npos;
}

// Whether the URL's host is this machine: localhost, 127.0.0.0/8 or ::1.
bool IsLoopbackServer(std::string_view url) {
  std::string_view host = Authority(url);
  host.remove_prefix(std::min(host.size(), host.rfind('@') == std::string_view::npos ? 0 : host.rfind('@') + 1));
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? 0 : host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (core::EqualsIgnoringCase(host, "localhost")) return true;
  const auto address = core::IpAddress::Parse(host);
  return address && core::NonPublicRange(*address) == "loopback";
}

bool IsSmtps(std::string_view url) { return url.starts_with("smtps://"); }

// The URL without user:password@, for messages that may be shown to users.
std::string RedactedUrl(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t at = url.find('@');
  if (scheme_end == std::string_view::npos || at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, scheme_end + 3)) + std::string(url.substr(at + 1));
}

TaskResult ResultOfCompletion(const CurlCompletion& completion, const Delivery& delivery) {
  const std::string& url = delivery.url;
  if (completion.cancelled) return TaskResult::Cancelled("cancelled before the server accepted the message");
  const auto code = static_cast<CURLcode>(completion.code);
  if (code == CURLE_OK) {
    std::string output = delivery.summary;
    if (!delivery.last_reply.empty()) output += "\nserver: " + delivery.last_reply;
    return TaskResult::Succeeded(std::move(output));
  }
  const std::string reply = delivery.last_reply.empty() ? "" : " (server said: " + delivery.last_reply + ")";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TaskResult::TimedOut("timed out after " + std::to_string(delivery.timeout.count()) + " ms" + reply);
    case CURLE_COULDNT_CONNECT: {
      long os_error = 0;
      curl_easy_getinfo(static_cast<CURL*>(completion.easy), CURLINFO_OS_ERRNO, &os_error);
      return TaskResult::Failed(std::string(os_error == ECONNREFUSED ? "connection refused" : "could not connect") +
                                " by the SMTP server " + RedactedUrl(url) + ": " + completion.error);
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return TaskResult::Failed("could not resolve the SMTP server " + RedactedUrl(url) + ": " + completion.error);
    case CURLE_LOGIN_DENIED:
      return TaskResult::Failed("the SMTP server refused the login: " + completion.error + reply);
    case CURLE_USE_SSL_FAILED:
      return TaskResult::Failed(std::string("the SMTP server does not offer STARTTLS, ") +
                                (delivery.credentials
                                     ? "and the SMTP credentials are never sent without TLS; nothing was sent: "
                                     : "which the configuration requires; nothing was sent: ") +
                                completion.error);
    default: return TaskResult::Failed("SMTP delivery failed: " + completion.error + reply);
  }
}

long CurlTlsMode(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::kNone: return CURLUSESSL_NONE;
    case SmtpTls::kStartTlsIfOffered: return CURLUSESSL_TRY;
    case SmtpTls::kRequired:
    case SmtpTls::kAuto: return CURLUSESSL_ALL;
  }
  return CURLUSESSL_ALL;
}

CURL* MakeTransfer(const EmailOptions& options, Delivery& delivery) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return nullptr;
  curl_easy_setopt(easy, CURLOPT_URL, options.smtp_url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(delivery.timeout.count()));
  // libcurl 7.88 waits for some SMTP replies (after DATA, and QUIT when the
  // connection closes) in a blocking loop bounded only by this, 120 s by
  // default: a silent server would hold the loop thread, and shutdown, that
  // long. Bound it by the attempt's timeout, in whole seconds.
  const long response_seconds = static_cast<long>((delivery.timeout.count() + 999) / 1000);
  curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, response_seconds < 1 ? 1L : response_seconds);
  // libcurl's CURLUSESSL_TRY goes on in clear when STARTTLS is not offered,
  // AUTH included: with credentials the effective mode is required.
  curl_easy_setopt(easy, CURLOPT_USE_SSL, CurlTlsMode(EffectiveSmtpTls(options)));
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, options.password.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, delivery.mail_from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, delivery.recipients);
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(delivery.message.size()));
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(easy, CURLOPT_READDATA, &delivery);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnReply);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &delivery);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &delivery);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CloseSocket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, nullptr);
  return easy;
}

// Fills `delivery` for `task`; returns an error message when the task cannot
// be sent as configured.
std::string Prepare(const core::EmailTask& task, const RunContext& context, const EmailOptions& options,
                    core::TimePoint now, Delivery& delivery) {
  const std::string from = task.from.value_or(options.default_from);
  if (from.empty()) return "no sender: the job names none and the service has no default sender";
  const std::string sender(AddressOf(from));
  std::string domain = options.message_id_domain;
  if (domain.empty() && sender.rfind('@') != std::string::npos) domain = sender.substr(sender.rfind('@') + 1);
  if (domain.empty()) domain = "localhost";

  EmailMessage message{from, task.to, task.cc, task.subject, task.body, now, {}, context.run_id, context.job_id};
  message.message_id =
      "<jobsched." + std::to_string(context.job_id) + "." + std::to_string(context.run_id) + "@" + domain + ">";
  delivery.message = FormatEmailMessage(message);
  delivery.mail_from = "<" + sender + ">";

  std::vector<std::string> envelope;
  for (const std::vector<std::string>* list : {&task.to, &task.cc}) {
    for (const std::string& recipient : *list) {
      const std::string address(AddressOf(recipient));
      // The same address twice would get the message twice.
      if (std::find(envelope.begin(), envelope.end(), address) == envelope.end()) envelope.push_back(address);
    }
  }
  for (const std::string& address : envelope) {
    curl_slist* appended = curl_slist_append(delivery.recipients, ("<" + address + ">").c_str());
    if (appended == nullptr) return "out of memory in libcurl";
    delivery.recipients = appended;
  }
  delivery.summary = "to " + JoinAddresses(task.to);
  if (!task.cc.empty()) delivery.summary += "; cc " + JoinAddresses(task.cc);
  delivery.summary += "\nMessage-ID: " + message.message_id;
  delivery.timeout = std::max(context.timeout, std::chrono::milliseconds{1});
  return {};
}

}  // namespace

SmtpTls EffectiveSmtpTls(const EmailOptions& options) {
  if (options.tls == SmtpTls::kNone || options.tls == SmtpTls::kRequired) return options.tls;
  if (HasCredentials(options)) return SmtpTls::kRequired;
  if (options.tls == SmtpTls::kAuto && !IsLoopbackServer(options.smtp_url)) return SmtpTls::kRequired;
  return SmtpTls::kStartTlsIfOffered;
}

std::string_view Describe(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::kNone: return "plain text";
    case SmtpTls::kStartTlsIfOffered: return "STARTTLS if offered";
    case SmtpTls::kRequired: return "TLS required";
    case SmtpTls::kAuto: return "auto";
  }
  return "auto";
}

core::Result<std::unique_ptr<EmailTaskRunner>> EmailTaskRunner::Create(CurlLoop& loop, EmailOptions options,
                                                                       const core::Clock& clock) {
  const std::string_view url = options.smtp_url;
  if (!url.starts_with("smtp://") && !url.starts_with("smtps://")) {
    return core::Error::InvalidArgument("smtp_url", "smtp_url: must start with smtp:// or smtps://");
  }
  if (HasLineBreak(options.smtp_url) || HasLineBreak(options.default_from) || HasLineBreak(options.message_id_domain)) {
    return core::Error::InvalidArgument("smtp", "the SMTP settings must not contain line breaks");
  }
  if (options.tls == SmtpTls::kNone && HasCredentials(options) && !IsSmtps(url)) {
    return core::Error::InvalidArgument(
        "smtp_tls",
        "smtp_tls: none would send the SMTP credentials in clear text; use auto, starttls or required "
        "(all of which require TLS with credentials), an smtps:// URL, or no credentials");
  }
  if (!options.default_from.empty() && AddressOf(options.default_from).find('@') == std::string_view::npos) {
    return core::Error::InvalidArgument("default_from",
                                        "default_from: '" + options.default_from + "' is not an email address");
  }
  return std::unique_ptr<EmailTaskRunner>(new EmailTaskRunner(loop, std::move(options), clock));
}

EmailTaskRunner::EmailTaskRunner(CurlLoop& loop, EmailOptions options, const core::Clock& clock)
    : loop_(loop), options_(std::move(options)), clock_(clock) {}

void EmailTaskRunner::Start(const core::Task& task, const RunContext& context, DoneCallback done) {
  const auto* email = std::get_if<core::EmailTask>(&task);
  if (email == nullptr) {
    done(TaskResult::Failed("the email runner cannot run a " + std::string(core::TaskTypeName(task)) + " task"));
    return;
  }
  std::shared_ptr<Delivery> delivery;
  CURL* easy = nullptr;
  std::string error;
  try {
    delivery = std::make_shared<Delivery>();
    delivery->url = options_.smtp_url;
    delivery->credentials = HasCredentials(options_);
    error = Prepare(*email, context, options_, clock_.Now(), *delivery);
    if (error.empty()) {
      easy = MakeTransfer(options_, *delivery);
      if (easy == nullptr) error = "out of memory in libcurl";
    }
  } catch (const std::exception& exception) {
    error = exception.what();
  }
  if (easy == nullptr) {
    done(TaskResult::Failed("cannot send the message: " + error));
    return;
  }
  delivery->done = std::move(done);
  // Destroyed with the delivery, so the raw pointer never outlives it.
  Delivery* raw = delivery.get();
  delivery->stop = context.stop;
  delivery->on_stop.emplace(context.stop, [raw] { SocketRegistry::Instance().ShutdownOwnedBy(raw); });
  loop_.Submit(
      easy,
      [delivery](const CurlCompletion& completion) {
        TaskResult result;
        try {
          // A transfer that failed because we shut its socket was stopped,
          // not refused: the run goes back to the queue.
          result = delivery->stop.stop_requested() ? TaskResult::Cancelled("stopped before the server answered")
                                                   : ResultOfCompletion(completion, *delivery);
        } catch (const std::exception& exception) {
          result = TaskResult::Failed(std::string("unexpected error: ") + exception.what());
        }
        delivery->done(std::move(result));
      },
      context.stop);
}

}  // namespace jobsched::executor::email
