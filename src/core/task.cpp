#include "core/task.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/enum_names.hpp"
#include "core/task_kind.hpp"
#include "core/text.hpp"

namespace jobsched::core {
namespace {

constexpr EnumNames<ComputeKind, 3> kComputeNames{{{ComputeKind::kFactorialSum, "factorial_sum"},
                                                   {ComputeKind::kPrimeCount, "prime_count"},
                                                   {ComputeKind::kMonteCarloPi, "monte_carlo_pi"}}};

constexpr std::array<std::string_view, 6> kHttpMethods{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

bool IsTokenChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte >= 0x7F) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

// A deliberately plain check: local@domain, no white space, no control
// characters, no angle brackets. The SMTP server has the final word.
bool LooksLikeEmailAddress(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() || address.size() > 254) return false;
  for (const char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F || c == '<' || c == '>' || c == ',') return false;
  }
  return address.substr(at + 1).find('.') != std::string_view::npos || address.substr(at + 1) == "localhost";
}

Result<void> ValidateUrl(std::string_view url) {
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else {
    return Error::InvalidArgument("task.url", "task.url: must start with http:// or https://");
  }
  const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':' || host.find('@') != std::string_view::npos) {
    return Error::InvalidArgument("task.url", "task.url: needs a host (and no user:password@ part)");
  }
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) {
      return Error::InvalidArgument("task.url", "task.url: must not contain spaces or control characters");
    }
  }
  if (url.size() > 2048) return Error::InvalidArgument("task.url", "task.url: at most 2048 characters");
  return Ok();
}

Result<void> ValidateHttp(const HttpTask& task) {
  bool known_method = false;
  for (std::string_view method : kHttpMethods) known_method = known_method || method == task.method;
  if (!known_method) {
    return Error::InvalidArgument("task.method", "task.method: must be one of GET, POST, PUT, PATCH, DELETE, HEAD");
  }
  if (auto url = ValidateUrl(task.url); !url) return url;
  for (std::size_t i = 0; i < task.headers.size(); ++i) {
    const auto& [name, value] = task.headers[i];
    const std::string field = "task.headers." + name.substr(0, 64);
    if (name.empty()) return Error::InvalidArgument("task.headers", "task.headers: a header name is empty");
    for (const char c : name) {
      if (!IsTokenChar(c)) return Error::InvalidArgument(field, field + ": not a valid header name");
    }
    if (HasLineBreak(value) || value.find('\0') != std::string::npos) {
      return Error::InvalidArgument(field, field + ": must not contain line breaks");
    }
  }
  for (std::size_t i = 0; i < task.secret_headers.size(); ++i) {
    const std::string& name = task.secret_headers[i];
    const bool present = std::any_of(task.headers.begin(), task.headers.end(),
                                     [&name](const auto& header) { return EqualsIgnoringCase(header.first, name); });
    if (!present) {
      const std::string field = "task.secret_headers[" + std::to_string(i) + "]";
      return Error::InvalidArgument(field, field + ": '" + name.substr(0, 64) + "' names no header in task.headers");
    }
  }
  if (task.signing_secret && *task.signing_secret != kRedacted &&
      (task.signing_secret->size() < 16 || task.signing_secret->size() > 1024)) {
    return Error::InvalidArgument("task.signing_secret", "task.signing_secret: must be 16 to 1024 bytes");
  }
  if (task.timeout && (task.timeout->count() <= 0 || *task.timeout > Milliseconds{3'600'000})) {
    return Error::InvalidArgument("task.timeout", "task.timeout: must be between 1ms and 1h");
  }
  if (task.expect_status && (*task.expect_status < 100 || *task.expect_status > 599)) {
    return Error::InvalidArgument("task.expect_status", "task.expect_status: must be an HTTP status from 100 to 599");
  }
  return Ok();
}

Result<void> ValidateAddresses(const std::vector<std::string>& addresses, std::string_view name) {
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (!LooksLikeEmailAddress(addresses[i])) {
      const std::string field = "task." + std::string(name) + "[" + std::to_string(i) + "]";
      return Error::InvalidArgument(field, field + ": '" + addresses[i].substr(0, 64) + "' is not an email address");
    }
  }
  return Ok();
}

Result<void> ValidateEmail(const EmailTask& task) {
  if (task.to.empty()) return Error::InvalidArgument("task.to", "task.to: needs at least one recipient");
  if (task.to.size() + task.cc.size() > 100) {
    return Error::InvalidArgument("task.to", "task.to: at most 100 recipients (to and cc together)");
  }
  if (auto to = ValidateAddresses(task.to, "to"); !to) return to;
  if (auto cc = ValidateAddresses(task.cc, "cc"); !cc) return cc;
  if (task.from && !LooksLikeEmailAddress(*task.from)) {
    return Error::InvalidArgument("task.from", "task.from: '" + task.from->substr(0, 64) + "' is not an email address");
  }
  if (HasLineBreak(task.subject)) {
    return Error::InvalidArgument("task.subject", "task.subject: must not contain line breaks");
  }
  if (task.subject.size() > 998) return Error::InvalidArgument("task.subject", "task.subject: at most 998 bytes");
  return Ok();
}

Result<void> ValidateCompute(const ComputeTask& task) {
  const std::int64_t max = MaxComputeInput(task.kind);
  if (task.n < 1 || task.n > max) {
    return Error::InvalidArgument(
        "task.n", "task.n: must be from 1 to " + std::to_string(max) + " for " + std::string(ToString(task.kind)));
  }
  return Ok();
}

bool HasNul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

bool IsEnvironmentName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<void> ValidateShell(const ShellTask& task) {
  if (task.command.empty() || task.command.front().empty()) {
    return Error::InvalidArgument("task.command",
                                  "task.command: needs the program to run, e.g. [\"backup\", \"--all\"]");
  }
  if (task.command.size() > 256) return Error::InvalidArgument("task.command", "task.command: at most 256 arguments");
  for (std::size_t i = 0; i < task.command.size(); ++i) {
    if (HasNul(task.command[i])) {
      const std::string field = "task.command[" + std::to_string(i) + "]";
      return Error::InvalidArgument(field, field + ": must not contain NUL bytes");
    }
  }
  if (task.env.size() > 100) return Error::InvalidArgument("task.env", "task.env: at most 100 variables");
  for (const auto& [name, value] : task.env) {
    const std::string field = "task.env." + name.substr(0, 64);
    if (!IsEnvironmentName(name)) {
      return Error::InvalidArgument(field, field + ": a name is letters, digits and _, not starting with a digit");
    }
    if (HasNul(value)) return Error::InvalidArgument(field, field + ": must not contain NUL bytes");
  }
  for (std::size_t i = 0; i < task.secret_env.size(); ++i) {
    const std::string& name = task.secret_env[i];
    const bool present =
        std::any_of(task.env.begin(), task.env.end(), [&name](const auto& variable) { return variable.first == name; });
    if (!present) {
      const std::string field = "task.secret_env[" + std::to_string(i) + "]";
      return Error::InvalidArgument(field, field + ": '" + name.substr(0, 64) + "' names no variable in task.env");
    }
  }
  if (task.working_dir &&
      (task.working_dir->empty() || task.working_dir->front() != '/' || HasNul(*task.working_dir))) {
    return Error::InvalidArgument("task.working_dir", "task.working_dir: must be an absolute path");
  }
  return Ok();
}

}  // namespace

std::int64_t MaxComputeInput(ComputeKind kind) {
  switch (kind) {
    case ComputeKind::kFactorialSum: return 20'000;
    case ComputeKind::kPrimeCount: return 2'000'000'000;
    case ComputeKind::kMonteCarloPi: return 1'000'000'000;
  }
  return 0;
}

std::string_view ToString(ComputeKind kind) { return NameOf(kComputeNames, kind); }

std::optional<ComputeKind> ParseComputeKind(std::string_view text) { return ValueOf(kComputeNames, text); }

std::string_view TaskTypeName(const Task& task) { return KindOf(task).name; }

Result<Task> ResolveTask(const std::optional<Task>& task, std::string_view job_name,
                         const std::optional<std::string>& default_email_to) {
  if (task) return *task;
  if (job_name == "Send Email Notification") {
    if (!default_email_to) {
      return Error::InvalidArgument("task",
                                    "job 'Send Email Notification' has no task and no --default-email-to is set");
    }
    EmailTask email;
    email.to = {*default_email_to};
    email.subject = std::string(job_name);
    email.body = "This is the scheduled notification of job '" + std::string(job_name) + "'.";
    return Task{std::move(email)};
  }
  if (job_name == "Number Crunching") return Task{ComputeTask{ComputeKind::kFactorialSum, 1000}};
  return Task{NoopTask{}};
}

bool IsSecretHeader(const HttpTask& task, std::string_view name) {
  if (EqualsIgnoringCase(name, "authorization") || EqualsIgnoringCase(name, "proxy-authorization")) return true;
  return std::any_of(task.secret_headers.begin(), task.secret_headers.end(),
                     [name](const std::string& secret) { return EqualsIgnoringCase(secret, name); });
}

bool IsSecretEnv(const ShellTask& task, std::string_view name) {
  return std::find(task.secret_env.begin(), task.secret_env.end(), name) != task.secret_env.end();
}

namespace {

std::string NoStoredValue(std::string_view field, const std::optional<Task>& stored) {
  return std::string(field) + ": '" + std::string(kRedacted) + "' stands for the stored secret, and " +
         (stored ? "this job has no stored value to keep" : "a new job has no stored value") +
         "; send the value itself";
}

// Where a webhook URL sends its request: scheme and authority, lowercased,
// without the scheme's default port ("https://example.com" for
// "https://Example.COM:443/hook?x"). ValidateUrl refuses userinfo, so equal
// origins mean the same bytes name the host, whatever parser reads them.
std::string UrlOrigin(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin(url.substr(0, authority_end));
  for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string_view default_port = origin.starts_with("https://") ? ":443" : ":80";
  if (origin.ends_with(default_port)) origin.resize(origin.size() - default_port.size());
  return origin;
}

std::string OriginChanged(std::string_view field) {
  return std::string(field) + ": the URL's origin (scheme, host and port) changed, and '" + std::string(kRedacted) +
         "' keeps a stored secret only for the origin it was given for; send the secret again, or drop it";
}

Result<void> KeepRedactedEnv(ShellTask& shell, const std::optional<Task>& stored) {
  const ShellTask* old = stored ? std::get_if<ShellTask>(&*stored) : nullptr;
  for (auto& [name, value] : shell.env) {
    if (value != kRedacted || !IsSecretEnv(shell, name)) continue;
    const std::string field = "task.env." + name.substr(0, 64);
    const std::string* kept = nullptr;
    for (std::size_t i = 0; old != nullptr && i < old->env.size() && kept == nullptr; ++i) {
      if (old->env[i].first == name) kept = &old->env[i].second;
    }
    if (kept == nullptr) return Error::InvalidArgument(field, NoStoredValue(field, stored));
    value = *kept;
  }
  return Ok();
}

}  // namespace

Result<void> KeepRedactedSecrets(Task& incoming, const std::optional<Task>& stored) {
  if (auto* shell = std::get_if<ShellTask>(&incoming)) return KeepRedactedEnv(*shell, stored);
  auto* http = std::get_if<HttpTask>(&incoming);
  if (http == nullptr) return Ok();
  const HttpTask* old = stored ? std::get_if<HttpTask>(&*stored) : nullptr;
  // A secret was given for one server: a placeholder must not send it to
  // another that whoever edits the job chose.
  const bool same_origin = old != nullptr && UrlOrigin(old->url) == UrlOrigin(http->url);
  for (auto& [name, value] : http->headers) {
    if (value != kRedacted || !IsSecretHeader(*http, name)) continue;
    const std::string field = "task.headers." + name.substr(0, 64);
    const std::string* kept = nullptr;
    for (std::size_t i = 0; old != nullptr && i < old->headers.size() && kept == nullptr; ++i) {
      if (EqualsIgnoringCase(old->headers[i].first, name)) kept = &old->headers[i].second;
    }
    if (kept == nullptr) return Error::InvalidArgument(field, NoStoredValue(field, stored));
    if (!same_origin) return Error::InvalidArgument(field, OriginChanged(field));
    value = *kept;
  }
  if (http->signing_secret && *http->signing_secret == kRedacted) {
    if (old == nullptr || !old->signing_secret) {
      return Error::InvalidArgument("task.signing_secret", NoStoredValue("task.signing_secret", stored));
    }
    if (!same_origin) return Error::InvalidArgument("task.signing_secret", OriginChanged("task.signing_secret"));
    http->signing_secret = old->signing_secret;
  }
  return Ok();
}

Result<void> ValidateTask(const Task& task) {
  struct Validator {
    Result<void> operator()(const NoopTask&) const { return Ok(); }
    Result<void> operator()(const HttpTask& http) const { return ValidateHttp(http); }
    Result<void> operator()(const EmailTask& email) const { return ValidateEmail(email); }
    Result<void> operator()(const ComputeTask& compute) const { return ValidateCompute(compute); }
    Result<void> operator()(const ShellTask& shell) const { return ValidateShell(shell); }
  };
  return std::visit(Validator{}, task);
}

}  // namespace jobsched::core
