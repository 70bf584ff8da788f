#include "app/service.hpp"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/api_key_cache.hpp"
#include "api/http_server.hpp"
#include "app/database_lock.hpp"
#include "app/instrumented_store.hpp"
#include "app/redaction.hpp"
#include "app/system_clock.hpp"
#include "core/duration.hpp"
#include "executor/compute/compute_task_runner.hpp"
#include "executor/curl_loop.hpp"
#include "executor/email/email_task_runner.hpp"
#include "executor/http/http_task_runner.hpp"
#include "executor/noop/noop_task_runner.hpp"
#include "executor/shell/shell_task_runner.hpp"
#include "executor/worker_pool.hpp"
#include "scheduler/retention.hpp"
#include "scheduler/scheduler.hpp"
#include "store/postgres/pg_clock.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/postgres_api_key_store.hpp"
#include "store/postgres/postgres_job_store.hpp"
#include "store/postgres/postgres_run_queue.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "telemetry/log_context.hpp"
#include "telemetry/metrics.hpp"

namespace jobsched::app {

// Declaration order is construction order; members are destroyed in reverse.
// Stop() runs the shutdown in its own order before that.
struct Service::Parts {
  SystemClock system_clock;
  // What every part reads the time from: the system clock, or in cluster
  // mode PostgreSQL's (database_clock), so all nodes agree on it.
  const core::Clock* clock = &system_clock;
  std::chrono::milliseconds shutdown_grace{30'000};
  std::chrono::milliseconds drain_delay{0};
  // SQLite: this process's claim to the file. Before the stores, so it is
  // released only after they have closed.
  std::optional<DatabaseLock> sqlite_lock;
  // The database: one object for SQLite, two sharing one connection set for
  // PostgreSQL. Destroyed after everything that uses them.
  std::shared_ptr<store::JobStore> jobs;
  std::shared_ptr<store::RunQueue> runs;
  std::shared_ptr<store::ApiKeyStore> api_keys;
  // False when other processes (cluster nodes) share the database.
  bool single_node = true;
  telemetry::Metrics metrics;
  // What every other part uses: the store, timed per operation.
  std::unique_ptr<InstrumentedStore> instrumented;
  std::unique_ptr<executor::CurlLoop> curl_loop;
  // Email has a loop of its own: libcurl blocks its thread while an SMTP
  // server is slow to answer some commands, which must not stall webhooks.
  std::unique_ptr<executor::CurlLoop> email_curl_loop;
  std::unique_ptr<executor::noop::NoopTaskRunner> noop_runner;
  std::unique_ptr<executor::http::HttpTaskRunner> http_runner;
  std::unique_ptr<executor::email::EmailTaskRunner> email_runner;
  std::unique_ptr<executor::compute::ComputeTaskRunner> compute_runner;
  std::unique_ptr<executor::shell::ShellTaskRunner> shell_runner;  // only with --enable-shell-tasks
  std::unique_ptr<executor::WorkerPool> pool;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<scheduler::Retention> retention;
  // Cluster mode: the database itself, and the listener that wakes this
  // node's scheduler and pool when another node changes a job or queues runs.
  std::shared_ptr<store::postgres::PgDatabase> postgres;
  // PostgreSQL's clock as this node sees it; destroyed before the database.
  std::unique_ptr<store::postgres::PgClock> database_clock;
  std::unique_ptr<store::postgres::PgListener> listener;
  // The active API keys, re-read every --key-refresh-interval.
  std::unique_ptr<api::ApiKeyCache> keys;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<api::HttpServer> server;
  bool stopped = false;
  // Set first thing on shutdown, so /readyz turns 503 and load balancers drain us.
  std::atomic<bool> stopping{false};
};

namespace {

core::Result<std::chrono::milliseconds> DurationSetting(const std::string& text, const char* name) {
  auto parsed = core::ParseDuration(text, name);
  if (!parsed) return core::Error::InvalidArgument(name, "--" + std::string(name) + ": " + parsed.error().message);
  return *parsed;
}

// Unique per process start, so leases of a previous run of this same host
// are told apart from ours.
std::string NodeId() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + std::to_string(random() % 1'000'000);
}

// Swagger UI's assets: next to the binary in a build tree (build/jobsched,
// build/share/swagger-ui), or where `cmake --install` puts them
// (PREFIX/bin/jobsched, PREFIX/share/jobsched/swagger-ui).
std::string DefaultDocsDir() {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "share/swagger-ui";
  const std::filesystem::path build_tree = exe.parent_path() / "share" / "swagger-ui";
  const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "jobsched" / "swagger-ui";
  if (!std::filesystem::is_directory(build_tree, error) && std::filesystem::is_directory(installed, error)) {
    return installed.string();
  }
  return build_tree.string();
}

// Authentication and rate limits from the settings, with the keys read once
// (serve refuses to start when a listener beyond loopback would have none).
core::Result<api::AccessOptions> AccessSettings(const Config& config, const ListenAddress& address,
                                                api::ApiKeyCache& keys) {
  if (auto loaded = keys.Refresh(); !loaded) return loaded.error();
  const bool exposed = !IsLoopbackHost(address.host);
  const bool insecure = config.insecure;
  if (exposed && !insecure && keys.size() == 0) {
    return core::Error::InvalidArgument(
        "listen", "refusing to serve on " + config.listen +
                      " (reachable from the network) without API keys: create one with `jobsched keys create "
                      "--name NAME --role admin` on the same database, or listen on 127.0.0.1, or pass --insecure "
                      "to serve everyone without authentication");
  }
  if (exposed && insecure && keys.size() == 0) {
    spdlog::warn("--insecure: serving {} without authentication; anyone who can connect may change every job",
                 config.listen);
  }
  auto refresh = DurationSetting(config.key_refresh_interval, "key-refresh-interval");
  if (!refresh) return refresh.error();
  auto window = DurationSetting(config.rate_limit_window, "rate-limit-window");
  if (!window) return window.error();
  api::AccessOptions access;
  access.keys = &keys;
  access.require_keys = exposed && !insecure;
  access.public_metrics = config.public_metrics;
  access.public_readyz = config.public_readyz;
  access.public_docs = config.public_docs;
  access.rate_limit.default_limit = config.rate_limit;
  access.rate_limit.window = *window;
  auto proxies = api::TrustedProxies::Parse(config.trusted_proxies);
  if (!proxies) return proxies.error();
  access.trusted_proxies = std::move(proxies).value();
  keys.Start(*refresh);
  spdlog::info("authentication: {} ({} active API keys, refreshed every {} ms); rate limit: {}",
               access.require_keys || keys.size() > 0 ? "on" : "off until a key is created", keys.size(),
               refresh->count(),
               config.rate_limit == 0 ? std::string("off")
                                      : std::to_string(config.rate_limit) + " per " + config.rate_limit_window);
  return access;
}

}  // namespace

core::Result<void> Service::OpenStore(const Config& config, Parts& parts) {
  auto url = ParseDatabaseUrl(config.db);
  if (!url) return core::Error::InvalidArgument("db", "db: " + url.error().message);
  if (url->kind == DatabaseUrl::Kind::kPostgres) {
    auto database = store::postgres::PgDatabase::Open({.url = url->location});
    if (!database) return database.error();
    spdlog::info("database: postgresql {}", (*database)->description());
    parts.jobs = std::make_shared<store::postgres::PostgresJobStore>(*database);
    parts.runs = std::make_shared<store::postgres::PostgresRunQueue>(*database);
    parts.api_keys = std::make_shared<store::postgres::PostgresApiKeyStore>(*database);
    parts.single_node = false;
    parts.postgres = *database;
    parts.database_clock = std::make_unique<store::postgres::PgClock>(*parts.postgres);
    parts.clock = parts.database_clock.get();
    return core::Ok();
  }
  const std::filesystem::path folder = std::filesystem::path(url->location).parent_path();
  if (!folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) return core::Error::Unavailable("cannot create " + folder.string() + ": " + error.message());
  }
  // Before opening: a second process must not even apply migrations.
  auto lock = DatabaseLock::Acquire(url->location);
  if (!lock) return lock.error();
  parts.sqlite_lock = std::move(lock).value();
  auto store = store::sqlite::SqliteJobStore::Open({.path = url->location, .max_batch = 1024, .clock = parts.clock});
  if (!store) return store.error();
  spdlog::info("database: sqlite {}", url->location);
  std::shared_ptr<store::sqlite::SqliteJobStore> sqlite = std::move(store).value();
  parts.jobs = sqlite;
  parts.runs = sqlite;
  parts.api_keys = sqlite;
  return core::Ok();
}

core::Result<void> Service::BuildRunners(const Config& config, Parts& parts) {
  {
    auto loop = executor::CurlLoop::Create();
    if (!loop) return loop.error();
    parts.curl_loop = std::move(loop).value();
    parts.noop_runner = std::make_unique<executor::noop::NoopTaskRunner>();
    auto hosts = executor::http::TaskHostPolicy::Parse(config.allow_task_hosts);
    if (!hosts) return core::Error::InvalidArgument("allow_task_hosts", "allow_task_hosts: " + hosts.error().message);
    executor::http::HttpRunnerOptions http;
    http.hosts = std::move(hosts).value();
    http.clock = parts.clock;
    parts.http_runner = std::make_unique<executor::http::HttpTaskRunner>(*parts.curl_loop, std::move(http));
    if (!config.allow_task_hosts.empty()) spdlog::info("webhooks may also reach: {}", config.allow_task_hosts);
    auto compute = executor::compute::ComputeTaskRunner::Create();
    if (!compute) return compute.error();
    parts.compute_runner = std::move(compute).value();
    if (config.enable_shell_tasks) {
      parts.shell_runner = std::make_unique<executor::shell::ShellTaskRunner>();
      spdlog::warn("shell tasks are enabled: whoever may create jobs can run commands on this host");
    }
    if (!config.smtp_url.empty()) {
      executor::email::EmailOptions email;
      email.smtp_url = config.smtp_url;
      if (config.smtp_tls == "none") email.tls = executor::email::SmtpTls::kNone;
      else if (config.smtp_tls == "starttls") email.tls = executor::email::SmtpTls::kStartTlsIfOffered;
      else email.tls = executor::email::SmtpTls::kRequired;
      email.username = config.smtp_username;
      email.password = config.smtp_password;
      email.default_from = config.smtp_from;
      auto email_loop = executor::CurlLoop::Create();
      if (!email_loop) return email_loop.error();
      parts.email_curl_loop = std::move(email_loop).value();
      auto runner = executor::email::EmailTaskRunner::Create(*parts.email_curl_loop, email, *parts.clock);
      if (!runner) return runner.error();
      parts.email_runner = std::move(runner).value();
      spdlog::info("email: via {}", RedactSecrets(config.smtp_url));
    }
  }
  return core::Ok();
}

core::Result<std::unique_ptr<Service>> Service::Start(const Config& config) {
  auto address = ParseListenAddress(config.listen);
  if (!address) return core::Error::InvalidArgument("listen", "listen: " + address.error().message);
  auto grace = DurationSetting(config.shutdown_grace, "shutdown-grace");
  if (!grace) return grace.error();
  auto lease = DurationSetting(config.lease_timeout, "lease-timeout");
  if (!lease) return lease.error();

  auto parts = std::make_unique<Parts>();
  parts->shutdown_grace = *grace;
  if (config.drain_delay != "0s" && config.drain_delay != "0") {
    auto drain = DurationSetting(config.drain_delay, "drain-delay");
    if (!drain) return drain.error();
    parts->drain_delay = *drain;
  }
  if (auto opened = OpenStore(config, *parts); !opened) return opened.error();
  parts->instrumented = std::make_unique<InstrumentedStore>(*parts->jobs, *parts->runs, parts->metrics);
  InstrumentedStore& instrumented = *parts->instrumented;
  telemetry::Metrics& metrics = parts->metrics;
  // Before anything starts: a node that must not serve without keys stops here.
  parts->keys = std::make_unique<api::ApiKeyCache>(*parts->api_keys);
  auto access = AccessSettings(config, *address, *parts->keys);
  if (!access) return access.error();

  auto roles = ParseRoles(config.roles);
  if (!roles) return core::Error::InvalidArgument("roles", "roles: " + roles.error().message);
  if (parts->single_node && !(roles->scheduler && roles->executor)) {
    spdlog::warn("roles {}: on SQLite no other process fires or runs jobs; jobs of this database will wait",
                 config.roles);
  }

  const std::string node_id = NodeId();
  telemetry::SetLogNodeId(node_id);
  executor::WorkerPool* pool = nullptr;
  if (roles->executor) {
    if (auto runners = BuildRunners(config, *parts); !runners) return runners.error();
    executor::WorkerPoolOptions pool_options;
    pool_options.owner = node_id;
    pool_options.on_run_started = [&metrics](std::chrono::nanoseconds lag) { metrics.ObserveFireLag(lag); };
    pool_options.on_run_finished = [&metrics](std::string_view task_type, core::RunState state) {
      metrics.ObserveRunFinished(task_type, core::ToString(state));
    };
    pool_options.max_concurrent_runs = config.max_concurrent_runs;
    pool_options.lease_timeout = *lease;
    pool_options.heartbeat_interval = std::max(*lease / 6, std::chrono::milliseconds{100});
    // Alone on its database, a starting process knows every running run is an
    // orphan of an earlier one; in a cluster, they belong to live nodes (a dead
    // node's runs come back when their leases expire).
    pool_options.requeue_other_owners_at_start = parts->single_node;
    if (!config.default_email_to.empty()) pool_options.default_email_to = config.default_email_to;
    executor::TaskRunners runners{parts->noop_runner.get(), parts->http_runner.get(), parts->email_runner.get(),
                                  parts->compute_runner.get(), parts->shell_runner.get()};
    parts->pool = std::make_unique<executor::WorkerPool>(instrumented, *parts->clock, runners, pool_options);
    if (auto started = parts->pool->Start(); !started) return started.error();
    pool = parts->pool.get();
  }

  scheduler::Scheduler* scheduler = nullptr;
  if (roles->scheduler) {
    parts->scheduler =
        std::make_unique<scheduler::Scheduler>(instrumented, *parts->clock, scheduler::SchedulerOptions{}, [pool] {
          if (pool != nullptr) pool->Notify();
        });
    parts->scheduler->Start();
    scheduler = parts->scheduler.get();

    auto prune_interval = DurationSetting(config.prune_interval, "prune-interval");
    if (!prune_interval) return prune_interval.error();
    scheduler::RetentionOptions retention;
    retention.keep_for = std::chrono::hours{24 * config.keep_runs_days};
    retention.keep_per_job = config.keep_runs_per_job;
    retention.interval = *prune_interval;
    parts->retention = std::make_unique<scheduler::Retention>(instrumented, *parts->clock, retention);
    parts->retention->Start();
  }

  if (parts->postgres && (scheduler != nullptr || pool != nullptr)) {
    // A job another node created may be due before this scheduler's nap
    // ends, and runs another node queued or handed back are ours to claim
    // too: without this, each node would notice only at its next nap.
    const core::Clock& clock = *parts->clock;
    parts->listener = parts->postgres->Listen(
        [scheduler, pool](const store::postgres::PgNotification& notification) {
          if (notification.channel == store::postgres::kRunsChannel) {
            if (pool != nullptr) pool->Notify();
            return;
          }
          std::int64_t next_run_ms = 0;
          const std::string& payload = notification.payload;
          const auto [end, error] = std::from_chars(payload.data(), payload.data() + payload.size(), next_run_ms);
          if (scheduler != nullptr && error == std::errc() && end == payload.data() + payload.size()) {
            scheduler->NotifyNextRun(core::FromUnixMs(next_run_ms));
          }
        },
        // Notifications sent while the connection was down are lost: look again.
        [scheduler, pool, &clock] {
          if (scheduler != nullptr) scheduler->NotifyNextRun(clock.Now());
          if (pool != nullptr) pool->Notify();
        });
  }

  api::ApiOptions api_options;
  // Without the api role a node still answers health checks and metrics.
  api_options.jobs_api = roles->api;
  api_options.jobs.email_enabled = parts->email_runner != nullptr || !roles->executor;
  api_options.jobs.shell_enabled = parts->shell_runner != nullptr || (!roles->executor && config.enable_shell_tasks);
  api_options.jobs.on_next_run = [scheduler](core::TimePoint next_run) {
    if (scheduler != nullptr) scheduler->NotifyNextRun(next_run);
  };
  api_options.jobs.on_run_queued = [pool] {
    if (pool != nullptr) pool->Notify();
  };
  api_options.jobs.on_cancel_requested = [pool](core::RunId run_id) {
    if (pool != nullptr) pool->Cancel(run_id);
  };
  api_options.docs_dir = config.docs_dir.empty() ? DefaultDocsDir() : config.docs_dir;
  const std::atomic<bool>& stopping = parts->stopping;
  api_options.ready = [&stopping, scheduler]() -> core::Result<void> {
    if (stopping) return core::Error::Unavailable("shutting down");
    if (scheduler != nullptr && !scheduler->IsAlive(std::chrono::seconds{5})) {
      return core::Error::Unavailable("the scheduler loop is stuck");
    }
    return core::Ok();
  };
  api_options.metrics = &metrics;
  api_options.access_log = config.access_log == "on";
  api_options.access = std::move(access).value();
  const core::Clock& clock = *parts->clock;
  api_options.before_scrape = [&metrics, &instrumented, pool, &clock] {
    if (auto queued = instrumented.QueuedRunCount()) metrics.SetQueuedRuns(*queued);
    if (auto nodes = instrumented.LiveNodeCount(clock.Now())) metrics.SetLiveNodes(*nodes);
    if (pool != nullptr) {
      metrics.SetExecutorSlots(pool->busy(), pool->slots());
      metrics.SetHeartbeatAge(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - pool->last_heartbeat()).count());
    }
  };
  parts->api = std::make_unique<api::Api>(instrumented, *parts->clock, std::move(api_options));
  spdlog::info("roles: {}", config.roles);

  api::HttpServerOptions options;
  options.host = address->host;
  options.port = address->port;
  options.threads = config.http_threads;
  const api::Api& api = *parts->api;
  auto server = api::HttpServer::Start(options, [&api](api::HttpRequest&& request, api::Responder respond) {
    api.Handle(std::move(request), std::move(respond));
  });
  if (!server) return server.error();
  parts->server = std::move(server).value();
  return std::unique_ptr<Service>(new Service(std::move(parts)));
}

Service::Service(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Service::~Service() { Stop(); }

std::uint16_t Service::port() const { return parts_->server->port(); }

void Service::Stop() {
  Parts& parts = *parts_;
  if (parts.stopped) return;
  parts.stopped = true;
  parts.stopping = true;
  if (parts.drain_delay.count() > 0) {
    spdlog::info("draining for {} ms: /readyz answers 503", parts.drain_delay.count());
    std::this_thread::sleep_for(parts.drain_delay);
  }
  // Outside in: no new requests, no new firings, then the runs in flight get
  // their grace period and whatever is unfinished goes back to the queue.
  parts.server->Stop();
  parts.listener.reset();
  parts.keys->Stop();
  if (parts.scheduler) parts.scheduler->Stop();
  if (parts.retention) parts.retention->Stop();
  if (parts.pool) parts.pool->Stop(parts.shutdown_grace);
  // Tasks still running after the grace period are cancelled with their
  // runners; the pool already handed their runs back.
  // A runner stuck in a library call could hold this up; their runs are
  // already back in the queue, so past a bound we log and leave.
  std::atomic<bool> torn_down{false};
  std::thread watchdog([&torn_down] {
    for (int i = 0; i < 100 && !torn_down; ++i) std::this_thread::sleep_for(std::chrono::milliseconds{100});
    if (!torn_down) {
      spdlog::error("shutdown: task runners did not stop within 10 s; exiting anyway (their runs are queued)");
      std::_Exit(0);
    }
  });
  parts.compute_runner.reset();
  parts.shell_runner.reset();
  parts.email_runner.reset();
  parts.http_runner.reset();
  parts.email_curl_loop.reset();
  parts.curl_loop.reset();
  torn_down = true;
  watchdog.join();
}

}  // namespace jobsched::app
