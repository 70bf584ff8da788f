#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// What a job does when it fires. The JSON form lives in codec/task_codec;
// running each kind lives in executor/<kind>/; the table of kinds, built from
// each struct's kKind, in core/task_kind.hpp.

// How the operator turns a kind of task on.
enum class TaskEnablement {
  kAlways,              // nothing to configure
  kWhenSmtpConfigured,  // --smtp-url names the server it sends through
  kWhenShellEnabled,    // --enable-shell-tasks: it runs commands on the host
};

// One kind of task: its "type" in the API and how it is enabled.
struct TaskKind {
  std::string_view name;
  TaskEnablement enablement = TaskEnablement::kAlways;
};

// Records a run and does nothing: for testing schedules and for jobs whose
// only purpose is their history.
struct NoopTask {
  static constexpr TaskKind kKind{"noop", TaskEnablement::kAlways};
  friend bool operator==(const NoopTask&, const NoopTask&) = default;
};

// Calls a webhook. The request carries `Idempotency-Key: <run id>` and
// `Jobsched-Job-Id: <job id>` so the receiver can de-duplicate retries.
struct HttpTask {
  static constexpr TaskKind kKind{"http", TaskEnablement::kAlways};
  std::string method = "POST";  // GET, POST, PUT, PATCH, DELETE or HEAD
  std::string url;              // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<Milliseconds> timeout;  // per request; the job's timeout when absent
  // The status that counts as success; any 2xx when absent.
  std::optional<int> expect_status;
  // Headers whose values are secrets, besides Authorization and
  // Proxy-Authorization, which always are (see IsSecretHeader). Each names a
  // header of `headers`, in any case.
  std::vector<std::string> secret_headers;
  // When set, each request is signed with HMAC-SHA256 under this key
  // (the Jobsched-Signature header). A secret, like the headers above.
  std::optional<std::string> signing_secret;
  friend bool operator==(const HttpTask&, const HttpTask&) = default;
};

// Sends an email through the SMTP server the operator configured.
struct EmailTask {
  static constexpr TaskKind kKind{"email", TaskEnablement::kWhenSmtpConfigured};
  std::vector<std::string> to;  // at least one address
  std::vector<std::string> cc;
  std::string subject;
  std::string body;
  std::optional<std::string> from;  // the service's default sender when absent
  friend bool operator==(const EmailTask&, const EmailTask&) = default;
};

// Number crunching, exact: the original service ran factorial_sum(1000).
enum class ComputeKind {
  kFactorialSum,  // sum of i! for i = 1..n, exact (big integers)
  kPrimeCount,    // number of primes <= n
  kMonteCarloPi,  // estimate of pi from n random samples
};

struct ComputeTask {
  static constexpr TaskKind kKind{"compute", TaskEnablement::kAlways};
  ComputeKind kind = ComputeKind::kFactorialSum;
  std::int64_t n = 0;
  friend bool operator==(const ComputeTask&, const ComputeTask&) = default;
};

// Runs a program on the service's host, without a shell: `command` is the
// argument vector. Accepted only where the operator enabled shell tasks.
struct ShellTask {
  static constexpr TaskKind kKind{"shell", TaskEnablement::kWhenShellEnabled};
  // argv: command[0] is a path, or a name looked up in PATH; the rest are
  // its arguments, passed as they are (no quoting, globbing or expansion).
  std::vector<std::string> command;
  // Added to the command's environment (which holds little else: the
  // service's own is not passed on).
  std::vector<std::pair<std::string, std::string>> env;
  // Absolute; the service's working directory when absent.
  std::optional<std::string> working_dir;
  // Names in env whose values are secrets: stored and passed on, shown by the
  // API as kRedacted (see KeepRedactedSecrets).
  std::vector<std::string> secret_env;
  friend bool operator==(const ShellTask&, const ShellTask&) = default;
};

using Task = std::variant<NoopTask, HttpTask, EmailTask, ComputeTask, ShellTask>;

// Largest n accepted per compute kind, so one job cannot occupy a core for
// hours: factorial_sum 20,000 (about 80,000 digits), prime_count 2e9,
// monte_carlo_pi 1e9 samples.
std::int64_t MaxComputeInput(ComputeKind kind);

std::string_view ToString(ComputeKind kind);
std::optional<ComputeKind> ParseComputeKind(std::string_view text);

// The task's "type" as the API spells it (its kind's name): "noop", "http", ...
std::string_view TaskTypeName(const Task& task);

// What the API shows in place of a secret (a secret header's value, a
// signing secret, a secret environment variable of a shell task). Sent back by a client, it means "keep the stored
// secret": see KeepRedactedSecrets.
inline constexpr std::string_view kRedacted = "REDACTED";

// Whether the header `name` of `task` holds a secret: Authorization and
// Proxy-Authorization always, and every header named in secret_headers.
// Names compare without case.
bool IsSecretHeader(const HttpTask& task, std::string_view name);

// Whether the variable `name` of `task.env` is a secret: one named in secret_env.
bool IsSecretEnv(const ShellTask& task, std::string_view name);

// Secrets are stored and used, but the API shows them as kRedacted, so a
// client that reads a job and writes it back sends the placeholder. Replaces
// each secret of `incoming` whose value is kRedacted with the secret `stored`
// holds in the same place: the value of the header of the same name (any
// case), the signing secret, or the shell variable of the same name. Fails
// with kInvalidArgument naming the field ("task.headers.Authorization",
// "task.signing_secret", "task.env.DB_PASSWORD") when `stored` has no such
// value to keep, as for a new job (`stored` empty), and when the URL's origin
// (scheme, host, port; case and a default port aside) differs from the
// stored task's: a secret stays with the server it was given for, so moving
// a job elsewhere takes sending its secrets again. Other task kinds pass
// unchanged.
Result<void> KeepRedactedSecrets(Task& incoming, const std::optional<Task>& stored);

// Checks the rules of each task kind: a URL with http or https and a host, a
// known method, header names and values without CR/LF, secret_headers naming
// headers the task has, a signing secret of 16 to 1024 bytes (or kRedacted,
// which KeepRedactedSecrets resolves), at least one email
// recipient, addresses of the form local@domain without spaces or CR/LF, a
// subject without CR/LF, an expected status from 100 to 599, a compute n
// from 1 to its maximum, a shell command of 1 to 256 arguments without NUL
// bytes (the first not empty), environment names of letters, digits and _
// (not starting with a digit), secret_env naming variables the task has, an
// absolute working directory. Fails with kInvalidArgument naming the field as a
// JSON path, e.g. "task.url" or "task.to[1]".
Result<void> ValidateTask(const Task& task);

// The task a job runs. A job created without one gets what the original
// service did by the job's name: "Send Email Notification" emails
// `default_email_to` (fails with kInvalidArgument when none is configured),
// "Number Crunching" computes factorial_sum(1000), any other name is a noop.
Result<Task> ResolveTask(const std::optional<Task>& task, std::string_view job_name,
                         const std::optional<std::string>& default_email_to);

}  // namespace jobsched::core
