// jobsched: a job scheduler service. `jobsched serve` runs it; `jobsched
// migrate` brings a database's schema up to date.
#include <csignal>
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "app/service.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace {

using jobsched::app::Config;

void AddCommonOptions(CLI::App& command, Config& config) {
  command.add_option("--db", config.db, "Database URL: sqlite:PATH")
      ->envname("JOBSCHED_DB")
      ->capture_default_str();
  command.add_option("--log-level", config.log_level, "trace, debug, info, warn or error")
      ->envname("JOBSCHED_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
}

// Blocks until SIGINT or SIGTERM. The signals were blocked in every thread
// before any was started, so they are delivered here and nowhere else.
int WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

int Serve(const Config& config) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto service = jobsched::app::Service::Start(config);
  if (!service) {
    spdlog::error("cannot start: {}", service.error().message);
    return 1;
  }
  spdlog::info("jobsched {} listening on http://{}:{}", JOBSCHED_VERSION,
               jobsched::app::ParseListenAddress(config.listen)->host, (*service)->port());
  const int signal_number = WaitForStopSignal(signals);
  spdlog::info("received signal {}, shutting down", signal_number);
  (*service)->Stop();
  spdlog::info("stopped");
  return 0;
}

int Migrate(const Config& config) {
  auto path = jobsched::app::SqlitePathFromUrl(config.db);
  if (!path) {
    spdlog::error("{}", path.error().message);
    return 1;
  }
  auto version = jobsched::store::sqlite::SqliteJobStore::Migrate(*path);
  if (!version) {
    spdlog::error("migration failed: {}", version.error().message);
    return 1;
  }
  spdlog::info("database {} is at schema version {}", *path, *version);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App cli{"jobsched: a job scheduler service"};
    cli.set_version_flag("--version", std::string("jobsched ") + JOBSCHED_VERSION);
    cli.require_subcommand(1);

    Config config;
    CLI::App* serve = cli.add_subcommand("serve", "Run the service (HTTP API)");
    AddCommonOptions(*serve, config);
    serve->add_option("--listen", config.listen, "HOST:PORT to listen on; port 0 picks a free one")
        ->envname("JOBSCHED_LISTEN")
        ->capture_default_str();
    serve->add_option("--http-threads", config.http_threads, "HTTP event loops; 0 = one per core")
        ->envname("JOBSCHED_HTTP_THREADS")
        ->capture_default_str();
    serve->add_option("--max-concurrent-runs", config.max_concurrent_runs, "Runs executing at once")
        ->envname("JOBSCHED_MAX_CONCURRENT_RUNS")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    serve->add_option("--shutdown-grace", config.shutdown_grace, "On SIGTERM, time for runs in flight to finish")
        ->envname("JOBSCHED_SHUTDOWN_GRACE")
        ->capture_default_str();
    serve->add_option("--drain-delay", config.drain_delay, "On SIGTERM, serve this long with /readyz 503 first")
        ->envname("JOBSCHED_DRAIN_DELAY")
        ->capture_default_str();
    serve->add_option("--lease-timeout", config.lease_timeout, "Re-queue a run whose node is silent this long")
        ->envname("JOBSCHED_LEASE_TIMEOUT")
        ->capture_default_str();
    serve->add_option("--smtp-url", config.smtp_url, "SMTP server for email tasks: smtp://host:port or smtps://")
        ->envname("JOBSCHED_SMTP_URL");
    serve->add_option("--smtp-tls", config.smtp_tls, "none, starttls or required")
        ->envname("JOBSCHED_SMTP_TLS")
        ->check(CLI::IsMember({"none", "starttls", "required"}))
        ->capture_default_str();
    serve->add_option("--smtp-from", config.smtp_from, "Sender of emails whose task names none")
        ->envname("JOBSCHED_SMTP_FROM")
        ->capture_default_str();
    serve->add_option("--default-email-to", config.default_email_to,
                      "Recipient of 'Send Email Notification' jobs without a task")
        ->envname("JOBSCHED_DEFAULT_EMAIL_TO");
    serve->add_option("--docs-dir", config.docs_dir, "Swagger UI assets (default: share/swagger-ui by the binary)")
        ->envname("JOBSCHED_DOCS_DIR");
    CLI::App* migrate = cli.add_subcommand("migrate", "Apply pending database migrations and exit");
    AddCommonOptions(*migrate, config);

    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    if (serve->parsed()) return Serve(config);
    return Migrate(config);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "jobsched: fatal: %s\n", error.what());
    return 1;
  }
}
