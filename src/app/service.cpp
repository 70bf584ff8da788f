#include "app/service.hpp"

#include <unistd.h>

#include <atomic>
#include <optional>
#include <random>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/api_key_cache.hpp"
#include "api/event_bridge.hpp"
#include "api/event_hub.hpp"
#include "api/http_server.hpp"
#include "api/request_audit.hpp"
#include "app/alert_service.hpp"
#include "app/config_report.hpp"
#include "app/database.hpp"
#include "app/instrumented_store.hpp"
#include "app/limit_settings.hpp"
#include "app/redaction.hpp"
#include "app/service_urls.hpp"
#include "app/settings.hpp"
#include "app/share_dir.hpp"
#include "app/task_runners.hpp"
#include "core/duration.hpp"
#include "executor/worker_pool.hpp"
#include "scheduler/retention.hpp"
#include "scheduler/scheduler.hpp"
#include "telemetry/log_context.hpp"
#include "telemetry/metrics.hpp"

namespace jobsched::app {

// Declaration order is construction order; members are destroyed in reverse.
// Stop() runs the shutdown in its own order before that.
struct Service::Parts {
  // The stores, the clock and the change feed (database.hpp). First: every
  // part below uses it, so it is destroyed last.
  std::unique_ptr<Database> database;
  std::chrono::milliseconds shutdown_grace{30'000};
  std::chrono::milliseconds drain_delay{0};
  // The operator's limits: the store's quotas, firing and the API's checks.
  LimitSettings limits;
  telemetry::Metrics metrics;
  // What every other part uses: the store, timed per operation.
  std::unique_ptr<InstrumentedStore> instrumented;
  // The task runners (executor role only), before the pool that uses them.
  std::unique_ptr<TaskRunnerSet> runners;
  std::unique_ptr<executor::WorkerPool> pool;
  // Alerts: their metrics and log lines, and (executor role) their sender.
  std::unique_ptr<AlertService> alerts;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<scheduler::Retention> retention;
  // What wakes the scheduler and the pool when a job is due sooner or runs
  // were queued (by this node, or in cluster mode by any). After them, so
  // these end first.
  std::vector<std::unique_ptr<store::ChangeFeed::Subscription>> subscriptions;
  // The event stream (GET /events) and what feeds it from the database's
  // changes; the bridge ends before the hub goes.
  std::unique_ptr<api::EventHub> events;
  std::unique_ptr<api::EventBridge> event_bridge;
  // The active API keys, re-read every --key-refresh-interval.
  std::unique_ptr<api::ApiKeyCache> keys;
  // The console's sessions (docs/decisions/0008), before the API that uses them.
  std::unique_ptr<api::SessionManager> sessions;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<api::HttpServer> server;
  bool stopped = false;
  // Set first thing on shutdown, so /readyz turns 503 and load balancers drain us.
  std::atomic<bool> stopping{false};
};

namespace {

// Unique per process start, so leases of a previous run of this same host
// are told apart from ours.
std::string NodeId() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + std::to_string(random() % 1'000'000);
}

// Authentication and rate limits from the settings, with the keys read once
// (serve refuses to start when a listener beyond loopback would have none).
core::Result<api::AccessOptions> AccessSettings(const Config& config, api::ApiKeyCache& keys) {
  const ListenAddress& address = config.listen;
  if (auto loaded = keys.Refresh(); !loaded) return loaded.error();
  const bool exposed = !IsLoopbackHost(address.host);
  const bool insecure = config.insecure;
  if (exposed && !insecure && keys.size() == 0) {
    return core::Error::InvalidArgument(
        "listen", "refusing to serve on " + FormatListenAddress(config.listen) +
                      " (reachable from the network) without API keys: create one with `jobsched keys create "
                      "--name NAME --role admin` on the same database, or listen on 127.0.0.1, or pass --insecure "
                      "to serve everyone without authentication");
  }
  // A database that ever had a key keeps authentication on (ApiKeyCache
  // warns when none is active); --insecure does not switch it off.
  const bool recorded = keys.required();
  if (exposed && insecure && keys.size() == 0 && !recorded && !config.require_auth) {
    spdlog::warn("--insecure: serving {} without authentication; anyone who can connect may change every job",
                 FormatListenAddress(config.listen));
  }
  api::AccessOptions access;
  access.keys = &keys;
  access.require_keys = (exposed && !insecure) || config.require_auth;
  if (access.require_keys && keys.size() == 0 && !recorded) {
    spdlog::warn(
        "authentication is required (--require-auth) but no API key exists: every request but the open "
        "routes gets 401 until one is made with `jobsched keys create --name NAME --role admin`");
  }
  access.public_metrics = config.public_metrics;
  access.public_readyz = config.public_readyz;
  access.public_docs = config.public_docs;
  access.rate_limit.default_limit = config.rate_limit;
  access.rate_limit.window = config.rate_limit_window;
  auto proxies = api::TrustedProxies::Parse(config.trusted_proxies);
  if (!proxies) return proxies.error();
  access.trusted_proxies = std::move(proxies).value();
  keys.Start(config.key_refresh_interval);
  spdlog::info("authentication: {} ({} active API keys, refreshed every {} ms); rate limit: {}",
               access.require_keys || recorded || keys.size() > 0 ? "on" : "off until a key is created", keys.size(),
               config.key_refresh_interval.count(),
               config.rate_limit == 0 ? std::string("off")
                                      : std::to_string(config.rate_limit) + " per " +
                                            core::FormatDuration(core::Milliseconds{config.rate_limit_window.count()}));
  return access;
}

// What GET /about shows: plain data, so api needs nothing of app.
api::AboutInfo AboutService(const Config& config) {
  api::AboutInfo about;
  about.version = JOBSCHED_VERSION;
  about.database = config.db.kind == DatabaseUrl::Kind::kPostgres ? "postgresql" : "sqlite";
  if (config.roles.api) about.roles.emplace_back("api");
  if (config.roles.scheduler) about.roles.emplace_back("scheduler");
  if (config.roles.executor) about.roles.emplace_back("executor");
  for (auto& [key, value] : RedactedSettings(config)) about.settings.emplace_back(key, std::move(value));
  return about;
}

}  // namespace

core::Result<void> Service::OpenStore(const Config& config, Parts& parts) {
  auto database = OpenDatabase(config.db, DatabaseUse::kServe, parts.limits.store);
  if (!database) return database.error();
  parts.database = std::move(database).value();
  spdlog::info("database: {}", parts.database->description);
  parts.instrumented = std::make_unique<InstrumentedStore>(*parts.database->jobs, *parts.database->runs, parts.metrics);
  return core::Ok();
}

core::Result<void> Service::StartExecutor(const Config& config, Parts& parts, const std::string& node_id) {
  auto runners = TaskRunnerSet::Build(config, *parts.database->clock);
  if (!runners) return runners.error();
  parts.runners = std::move(runners).value();
  telemetry::Metrics& metrics = parts.metrics;
  executor::WorkerPoolOptions options;
  options.owner = node_id;
  options.on_run_started = [&metrics](std::chrono::nanoseconds lag) { metrics.ObserveFireLag(lag); };
  options.on_run_finished = [&metrics](std::string_view task_type, core::RunState state) {
    metrics.ObserveRunFinished(task_type, core::ToString(state));
  };
  options.max_concurrent_runs = config.max_concurrent_runs;
  options.lease_timeout = config.lease_timeout;
  options.heartbeat_interval = std::max(config.lease_timeout / 6, std::chrono::milliseconds{100});
  // Alone on its database, a starting process knows every running run is an
  // orphan of an earlier one; in a cluster, they belong to live nodes (a dead
  // node's runs come back when their leases expire).
  options.requeue_other_owners_at_start = parts.database->single_node;
  if (!config.default_email_to.empty()) options.default_email_to = config.default_email_to;
  parts.pool = std::make_unique<executor::WorkerPool>(*parts.instrumented, *parts.database->clock,
                                                      parts.runners->table(), options);
  return parts.pool->Start();
}

void Service::StartScheduler(const Config& config, Parts& parts) {
  executor::WorkerPool* pool = parts.pool.get();
  scheduler::SchedulerOptions options;
  options.firing_limits = parts.limits.firing;
  options.resume_audit = api::ServiceAudit("scheduler");
  parts.scheduler =
      std::make_unique<scheduler::Scheduler>(*parts.instrumented, *parts.database->clock, options, [pool] {
        if (pool != nullptr) pool->Notify();
      });
  parts.scheduler->Start();
  scheduler::RetentionOptions retention;
  retention.keep_for = std::chrono::hours{24 * config.keep_runs_days};
  retention.keep_per_job = config.keep_runs_per_job;
  retention.audit_for = std::chrono::hours{24 * config.keep_audit_days};
  retention.interval = config.prune_interval;
  parts.retention = std::make_unique<scheduler::Retention>(*parts.instrumented, *parts.database->clock, retention,
                                                           parts.database->sessions.get(), parts.database->audit.get());
  parts.retention->Start();
}

void Service::SubscribeToChanges(Parts& parts) {
  scheduler::Scheduler* scheduler = parts.scheduler.get();
  executor::WorkerPool* pool = parts.pool.get();
  if (scheduler == nullptr && pool == nullptr) return;
  const core::Clock& clock = *parts.database->clock;
  parts.subscriptions.push_back(
      parts.database->changes->Subscribe([scheduler, pool, &clock](const store::StoreChange& change) {
        switch (change.kind) {
          case store::StoreChange::Kind::kJobScheduled:
            if (scheduler != nullptr) scheduler->NotifyNextRun(change.next_run);
            break;
          case store::StoreChange::Kind::kRunsQueued:
            if (pool != nullptr) pool->Notify();
            break;
          case store::StoreChange::Kind::kResync:
            // Changes may have been missed: look again.
            if (scheduler != nullptr) scheduler->NotifyNextRun(clock.Now());
            if (pool != nullptr) pool->Notify();
            break;
          case store::StoreChange::Kind::kJob:
          case store::StoreChange::Kind::kRun: break;  // for the event stream (EventBridge)
        }
      }));
}

api::ApiOptions Service::ApiSettings(const Config& config, Parts& parts) {
  api::ApiOptions options;
  // Without the api role a node still answers health checks and metrics.
  options.jobs_api = config.roles.api;
  // What this node runs; a node without the executor role accepts what the
  // executors elsewhere may run (email: they may have an SMTP server).
  options.jobs.limits = parts.limits.job;
  options.jobs.task_kinds =
      parts.runners ? parts.runners->enabled() : core::EnabledTaskKinds::From(true, config.enable_shell_tasks);
  executor::WorkerPool* pool = parts.pool.get();
  options.jobs.on_cancel_requested = [pool](core::RunId run_id) {
    if (pool != nullptr) pool->Cancel(run_id);
  };
  options.docs_dir = config.docs_dir.empty() ? DefaultShareDir("swagger-ui") : config.docs_dir;
  options.console.dir = DefaultShareDir("console");
  options.console.dev_dir = config.console_dir;
  const std::atomic<bool>& stopping = parts.stopping;
  scheduler::Scheduler* scheduler = parts.scheduler.get();
  options.ready = [&stopping, scheduler]() -> core::Result<void> {
    if (stopping) return core::Error::Unavailable("shutting down");
    if (scheduler != nullptr && !scheduler->IsAlive(std::chrono::seconds{5})) {
      return core::Error::Unavailable("the scheduler loop is stuck");
    }
    return core::Ok();
  };
  options.metrics = &parts.metrics;
  options.before_scrape = ScrapeHook(parts);
  options.access_log = config.access_log;
  options.sessions = parts.sessions.get();
  options.api_keys = parts.database->api_keys.get();
  options.nodes = parts.database->nodes.get();
  options.audit = parts.database->audit.get();
  options.alerts = parts.database->alerts.get();
  options.about = AboutService(config);
  return options;
}

std::function<void()> Service::ScrapeHook(Parts& parts) {
  telemetry::Metrics& metrics = parts.metrics;
  InstrumentedStore& store = *parts.instrumented;
  executor::WorkerPool* pool = parts.pool.get();
  const core::Clock& clock = *parts.database->clock;
  return [&metrics, &store, pool, &clock] {
    if (auto queued = store.QueuedRunCount()) metrics.SetQueuedRuns(*queued);
    if (auto nodes = store.LiveNodeCount(clock.Now())) metrics.SetLiveNodes(*nodes);
    if (pool != nullptr) {
      metrics.SetExecutorSlots(pool->busy(), pool->slots());
      metrics.SetHeartbeatAge(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - pool->last_heartbeat()).count());
    }
  };
}

core::Result<void> Service::StartApi(const Config& config, Parts& parts, api::AccessOptions access) {
  api::ApiOptions options = ApiSettings(config, parts);
  options.access = std::move(access);
  if (config.roles.api) {
    // Ids start at the start time (microseconds): a client resuming with an
    // id an earlier process gave out is told to start over, not misled.
    const auto start = std::chrono::system_clock::now().time_since_epoch();
    parts.events = std::make_unique<api::EventHub>(api::EventHubOptions{
        .first_id = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(start).count())});
    parts.event_bridge =
        std::make_unique<api::EventBridge>(*parts.database->changes, *parts.instrumented, *parts.events);
    options.events = parts.events.get();
  }
  parts.api = std::make_unique<api::Api>(*parts.instrumented, *parts.database->clock, std::move(options));
  spdlog::info("roles: {}; limits: min_period {}, max_jobs_per_namespace {}, max_runs_per_job_per_minute {}",
               FormatRoles(config.roles), SettingText(config, "min_period"), config.max_jobs_per_namespace,
               config.max_runs_per_job_per_minute);
  api::HttpServerOptions server;
  server.host = config.listen.host;
  server.port = config.listen.port;
  server.threads = config.http_threads;
  server.max_connections = config.max_connections;
  const api::Api& api = *parts.api;
  auto started = api::HttpServer::Start(server, [&api](api::HttpRequest&& request, api::Responder respond) {
    api.Handle(std::move(request), std::move(respond));
  });
  if (!started) return started.error();
  parts.server = std::move(started).value();
  return core::Ok();
}

core::Result<std::unique_ptr<Service>> Service::Start(const Config& config) {
  auto parts = std::make_unique<Parts>();
  parts->shutdown_grace = config.shutdown_grace;
  parts->drain_delay = config.drain_delay;
  auto limits = ReadLimitSettings(config);
  if (!limits) return limits.error();
  parts->limits = std::move(limits).value();
  if (auto opened = OpenStore(config, *parts); !opened) return opened.error();
  // Before anything starts: a node that must not serve without keys stops here.
  parts->keys = std::make_unique<api::ApiKeyCache>(*parts->database->api_keys);
  auto access = AccessSettings(config, *parts->keys);
  if (!access) return access.error();
  api::SessionOptions sessions;
  sessions.idle_timeout = config.session_idle_timeout;
  parts->sessions =
      std::make_unique<api::SessionManager>(*parts->database->sessions, *parts->database->clock, sessions);
  if (parts->database->single_node && !(config.roles.scheduler && config.roles.executor)) {
    spdlog::warn("roles {}: on SQLite no other process fires or runs jobs; jobs of this database will wait",
                 FormatRoles(config.roles));
  }
  const std::string node_id = NodeId();
  telemetry::SetLogNodeId(node_id);
  if (config.roles.executor) {
    if (auto started = StartExecutor(config, *parts, node_id); !started) return started.error();
  }
  parts->alerts = std::make_unique<AlertService>(
      *parts->database->alerts, *parts->database->clock, parts->runners ? &parts->runners->table() : nullptr,
      parts->metrics, node_id, config.lease_timeout, config.roles.scheduler, PublicBaseUrl(config));
  if (config.roles.scheduler) StartScheduler(config, *parts);
  SubscribeToChanges(*parts);
  if (auto started = StartApi(config, *parts, std::move(access).value()); !started) return started.error();
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
  // Streams end with a "shutdown" event, so clients reconnect elsewhere at once.
  if (parts.events) parts.events->Shutdown();
  parts.server->Stop();
  parts.event_bridge.reset();
  parts.subscriptions.clear();
  parts.keys->Stop();
  if (parts.scheduler) parts.scheduler->Stop();
  if (parts.retention) parts.retention->Stop();
  if (parts.pool) parts.pool->Stop(parts.shutdown_grace);
  if (parts.alerts) parts.alerts->Stop();
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
  parts.runners.reset();
  torn_down = true;
  watchdog.join();
}

}  // namespace jobsched::app
