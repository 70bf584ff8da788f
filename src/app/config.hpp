#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace jobsched::app {

struct Roles {
  bool api = false;
  bool scheduler = false;
  bool executor = false;
  friend bool operator==(const Roles&, const Roles&) = default;
};

// "api,scheduler,executor" or any non-empty subset, in any order.
core::Result<Roles> ParseRoles(const std::string& text);

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// Whether `host` is a loopback address (127.0.0.0/8, ::1) or "localhost":
// only this machine can connect. Anything else, 0.0.0.0 and :: included,
// is reachable from the network.
bool IsLoopbackHost(const std::string& host);

// "127.0.0.1:8000" or "[::1]:8000". Fails naming the setting "listen"; the
// message does not say where the value came from (the caller does).
core::Result<ListenAddress> ParseListenAddress(const std::string& text);

// The text ParseListenAddress reads: "127.0.0.1:8000", "[::1]:8000".
std::string FormatListenAddress(const ListenAddress& address);

// "api,scheduler,executor" (the roles that are on, in that order).
std::string FormatRoles(const Roles& roles);

// The store a --db URL names.
struct DatabaseUrl {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  // kSqlite: the database file. kPostgres: the URL as given, for libpq
  // (which reads user, password, host, port, database and parameters).
  std::string location;
  friend bool operator==(const DatabaseUrl&, const DatabaseUrl&) = default;
};

// "sqlite:PATH" (also sqlite:///abs/path) or "postgresql://..." (also
// postgres://). Fails naming the setting "db"; messages name no source, as
// above, and never show a password.
core::Result<DatabaseUrl> ParseDatabaseUrl(const std::string& url);

// The URL ParseDatabaseUrl reads ("sqlite:PATH", or the PostgreSQL URL as
// given), unredacted.
std::string FormatDatabaseUrl(const DatabaseUrl& url);

// How much the service logs: the spdlog levels it maps to, by name.
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };
// json: one object per line, for log collectors; text: for a person; auto:
// text when standard error (where logs go) is a terminal, json otherwise.
enum class LogFormat { kJson, kText, kAuto };

// The format `format` stands for, given whether standard error is a
// terminal: kAuto becomes kText or kJson, the others stay.
LogFormat ResolveLogFormat(LogFormat format, bool stderr_is_terminal);
// How email reaches the SMTP server over smtp:// (smtps:// is TLS from the
// first byte whatever this says).
enum class SmtpTlsMode {
  kAuto,      // kRequired with credentials or a server beyond loopback, else kStartTls
  kNone,      // plain text (refused with credentials)
  kStartTls,  // STARTTLS when the server offers it (required with credentials)
  kRequired,  // STARTTLS or fail
};

// Settings of `jobsched serve` and `jobsched migrate`, typed: each comes from
// a flag, a JOBSCHED_* environment variable, the configuration file or the
// default, in that order of precedence (config_loader.hpp), and is parsed
// and checked once, by its row of the settings table (settings.cpp). The
// comments name the file key and the flag.
struct Config {
  // --listen / JOBSCHED_LISTEN: HOST:PORT to serve HTTP on; port 0 picks a
  // free port and logs it.
  ListenAddress listen{"127.0.0.1", 8000};
  // --db / JOBSCHED_DB: where jobs live. "sqlite:PATH" (the file is created,
  // with its folder, if missing), or a PostgreSQL URL
  // "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAM=VALUE...]"
  // (also postgres://): cluster mode, where every node shares the database.
  DatabaseUrl db{DatabaseUrl::Kind::kSqlite, "./data/jobsched.db"};
  // --roles: what this node does, a comma-separated subset of api (the HTTP
  // API), scheduler (firing due jobs, pruning history) and executor (running
  // them). Health checks and /metrics are served whatever the roles.
  Roles roles{true, true, true};
  // --log-level / JOBSCHED_LOG_LEVEL: trace, debug, info, warn, error.
  LogLevel log_level = LogLevel::kInfo;
  // --log-format: json (one object per line, for log collectors), text (for
  // a person at a terminal) or auto (default): text when standard error is a
  // terminal, json otherwise (a pipe, a file, journald, a container's log).
  LogFormat log_format = LogFormat::kAuto;
  // --access-log: on (one info line per answered request) or off (only 5xx
  // answers are logged, as warnings).
  bool access_log = true;
  // --http-threads / JOBSCHED_HTTP_THREADS: event loops serving HTTP; 0 means
  // one per core. More than the cores only adds context switches.
  unsigned http_threads = 0;
  // --max-connections: open HTTP connections at once, across all threads; one
  // more is answered 503 and closed. Each costs a socket (count it against
  // the process's open-files limit) and a few KB; the console's live updates
  // hold one per open tab.
  std::size_t max_connections = 10'000;

  // --max-concurrent-runs: runs executing at once; more wait in the queue.
  std::size_t max_concurrent_runs = 256;
  // --shutdown-grace: on SIGTERM, how long runs in flight may take to finish
  // before they are handed back to the queue.
  std::chrono::milliseconds shutdown_grace{30'000};
  // --lease-timeout: a run whose process stops renewing its lease for this
  // long is re-queued. Shorter recovers faster; too short re-runs slow tasks
  // whose heartbeat was merely delayed.
  std::chrono::milliseconds lease_timeout{30'000};
  // --drain-delay: on SIGTERM, how long to keep serving requests with
  // /readyz answering 503 before closing the listener, so a load balancer
  // notices and stops sending traffic first. 0 for a single node.
  std::chrono::milliseconds drain_delay{0};

  // --keep-runs-days: finished runs older than this many days are deleted;
  // 0 keeps them forever.
  std::size_t keep_runs_days = 30;
  // --keep-runs-per-job: at most this many finished runs are kept per job,
  // the newest; 0 for no limit.
  std::size_t keep_runs_per_job = 1000;
  // --keep-audit-days: audit log entries older than this many days are
  // deleted; 0 keeps them forever (the table then grows with every change).
  std::size_t keep_audit_days = 90;
  // --prune-interval: how often finished runs past those limits are deleted.
  std::chrono::milliseconds prune_interval{60'000};

  // --smtp-url: the SMTP server email tasks use (smtp://host:port or
  // smtps://host:port). Empty: email tasks are refused at creation.
  // A password in the URL's userinfo is redacted whenever the URL is shown.
  std::string smtp_url;
  // JOBSCHED_SMTP_USERNAME / JOBSCHED_SMTP_PASSWORD only, never a flag or the
  // file, so credentials stay out of process listings and shared files.
  // Empty: no authentication (unless smtp_url carries userinfo).
  std::string smtp_username;
  std::string smtp_password;
  // --smtp-tls: auto (default: required with credentials or a server beyond
  // loopback, STARTTLS if offered for a relay on this host), required,
  // starttls (if offered; required with credentials) or none (refused with
  // credentials). Credentials are never sent without TLS.
  SmtpTlsMode smtp_tls = SmtpTlsMode::kAuto;
  // --smtp-from: sender of emails whose task names none.
  std::string smtp_from = "jobsched@localhost";
  // --default-email-to: recipient of the original service's "Send Email
  // Notification" jobs, which carry no task.
  std::string default_email_to;
  // --allow-task-hosts: what webhooks may reach beyond public addresses, a
  // comma-separated list of CIDR blocks or addresses (matched after DNS, on
  // the address connected to) and host names ("hooks.internal",
  // "*.corp.example"; matched on the URL's host). Default "": loopback,
  // private, link-local (cloud metadata), CGNAT and other non-public
  // addresses are refused. Each entry opens that much of the network the
  // service runs in to whoever may create jobs. Checked when loaded; the
  // http runner keeps the parsed policy.
  std::string allow_task_hosts;
  // --enable-shell-tasks: accept tasks of type "shell", which run a command
  // (argv, no shell) on this host as the service's user. Default false: they
  // are refused at creation, and runs of existing ones fail. Enabling it lets
  // whoever may create jobs run programs here.
  bool enable_shell_tasks = false;
  // --docs-dir: Swagger UI's assets; empty means share/swagger-ui next to the
  // binary, where the build puts them.
  std::string docs_dir;
  // --console-dir: serve the web console's own files (web/ of a source tree)
  // from this folder, read on every request and never cached, for working
  // on the console; the vendor files (Preact, uPlot) still come from the
  // installed folder, share/console next to the binary. Empty (default):
  // everything from the installed folder, read once and cached by browsers.
  std::string console_dir;
  // --public-url: the address people reach this service at
  // ("https://jobsched.example.com", with a path behind a proxy that adds
  // one). Alert messages link to a run's page of the console there. Empty
  // (default): the listen address when it names one host and port, else no
  // link (0.0.0.0 or port 0 say nothing of how others reach it).
  std::string public_url;

  // --insecure: authentication (API keys, made with `jobsched keys create`)
  // is on while at least one active key exists, and always when `listen` is
  // beyond loopback: then serve refuses to start without a key unless this
  // says to serve everyone without authentication.
  bool insecure = false;
  // --require-auth: authentication on whatever the listener and before any
  // key exists (every request but the open routes gets 401 until one is
  // made). For nodes on loopback behind a proxy: the shipped deploy
  // configurations set it. Besides, a database that ever had a key requires
  // authentication until `jobsched keys disable-auth`, whatever this says.
  bool require_auth = false;
  // --key-refresh-interval: how often the service re-reads the keys, so a
  // key created or revoked by `jobsched keys` counts within this time. Each
  // refresh is one small query.
  std::chrono::milliseconds key_refresh_interval{5'000};
  // --session-idle-timeout: a console session (the browser's sign-in,
  // docs/decisions/0008) unused this long ends; use moves it on (at most
  // once a minute, so requests do not each cost a write). From 1 minute to
  // 30 days; default 12 h. Longer keeps a forgotten browser signed in longer.
  std::chrono::milliseconds session_idle_timeout{12LL * 3600 * 1000};
  // --public-metrics, --public-readyz, --public-docs: which routes stay open
  // while authentication is on; /healthz always does. /metrics needs a key
  // by default.
  bool public_metrics = false;
  bool public_readyz = true;
  bool public_docs = true;
  // --rate-limit: requests per --rate-limit-window for each key without a
  // limit of its own, and for each anonymous client address; 0 turns rate
  // limiting off. Each node counts on its own: behind a load balancer that
  // spreads a client over N nodes, it gets about N times this.
  std::int64_t rate_limit = 6000;
  // From 1 s to 24 h.
  std::chrono::milliseconds rate_limit_window{60'000};
  // --min-period: the least time between two runs of a job: `every`, cron
  // (six fields fire up to every second), the schedule's gap less the job's
  // jitter, and the first retry delay less its jitter are refused below it
  // (400 naming the field). Default 1s, as fast as six-field cron goes; at
  // most 1h. Lower lets one job create runs faster than one node executes
  // them; a job stored with a shorter period runs once per min_period.
  std::chrono::milliseconds min_period{1000};
  // --max-jobs-per-namespace: jobs one namespace may hold (409 past it); 0
  // for no limit. Default 10000: at the minimum period that many jobs can
  // already ask for more runs a second than one node executes.
  std::size_t max_jobs_per_namespace = 10000;
  // --max-runs-per-job-per-minute: runs one job may have created in any
  // minute; a trigger past it gets 409, a catch-up firing skips the rest.
  // 0 for no limit. Default 120: twice what a schedule at the default
  // minimum period creates, leaving room for manual triggers and catch-up.
  // min_period must allow no more (60s / min_period <= this).
  std::size_t max_runs_per_job_per_minute = 120;
  // --trusted-proxies: load balancers (addresses, CIDR blocks) whose
  // X-Forwarded-For names the client of an anonymous request. Empty: nobody's.
  // Checked when loaded.
  std::string trusted_proxies;
};

}  // namespace jobsched::app
