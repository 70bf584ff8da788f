// jobsched: a job scheduler service. `jobsched serve` runs it; `jobsched
// migrate` brings a database's schema up to date; `jobsched config check`
// validates a configuration and prints the effective one; `jobsched keys`
// creates, lists and revokes API keys, and turns authentication off on purpose.
// `jobsched job|run|apply|diff` are the client: they speak to a running
// service over its API (client_cli).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <sstream>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "telemetry/json_log_formatter.hpp"

#include "app/cli_commands.hpp"
#include "app/client_cli.hpp"
#include "app/config.hpp"
#include "app/config_loader.hpp"
#include "app/config_report.hpp"
#include "app/database.hpp"
#include "app/key_commands.hpp"
#include "app/redaction.hpp"
#include "app/service.hpp"
#include "app/service_urls.hpp"
#include "app/system_clock.hpp"
#include "client/exit_code.hpp"

namespace {

using jobsched::app::CommandLine;
using jobsched::app::Commands;
using jobsched::app::Config;
using jobsched::app::KeyCreateLine;

// The configuration from every source, or nullopt after printing why not.
std::optional<jobsched::app::EffectiveConfig> LoadOrExplain(const CommandLine& line) {
  auto effective = jobsched::app::LoadConfig(line.Sources());
  if (!effective) {
    std::fprintf(stderr, "jobsched: invalid configuration:\n");
    std::istringstream problems(effective.error().message);
    for (std::string problem; std::getline(problems, problem);) std::fprintf(stderr, "  %s\n", problem.c_str());
    return std::nullopt;
  }
  return std::move(effective).value();
}

spdlog::level::level_enum SpdlogLevel(jobsched::app::LogLevel level) {
  switch (level) {
    case jobsched::app::LogLevel::kTrace: return spdlog::level::trace;
    case jobsched::app::LogLevel::kDebug: return spdlog::level::debug;
    case jobsched::app::LogLevel::kInfo: return spdlog::level::info;
    case jobsched::app::LogLevel::kWarn: return spdlog::level::warn;
    case jobsched::app::LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
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
  spdlog::info("jobsched {} listening on http://{}:{}", JOBSCHED_VERSION, config.listen.host, (*service)->port());
  for (const auto& url : jobsched::app::ServiceUrls(config, (*service)->port())) {
    spdlog::info("{}: {}", url.what, url.url);
  }
  const int signal_number = WaitForStopSignal(signals);
  spdlog::info("received signal {}, shutting down", signal_number);
  (*service)->Stop();
  spdlog::info("stopped");
  return 0;
}

int Migrate(const Config& config) {
  auto version = jobsched::app::MigrateDatabase(config.db);
  if (!version) {
    spdlog::error("migration failed: {}", version.error().message);
    return 1;
  }
  spdlog::info("database {} is at schema version {}",
               jobsched::app::RedactSecrets(jobsched::app::FormatDatabaseUrl(config.db)), *version);
  return 0;
}

// `jobsched keys create`: the token on standard output, all else on standard error.
int CreateKeyCommand(jobsched::store::ApiKeyStore& store, const jobsched::core::Clock& clock,
                     const KeyCreateLine& create_line) {
  jobsched::app::NewKeyRequest request = create_line.request;
  if (create_line.rate_limit_option->count() > 0) request.rate_limit = create_line.rate_limit;
  auto created = jobsched::app::CreateKey(store, clock, request);
  if (!created) {
    spdlog::error("cannot create the key: {}", created.error().message);
    return 1;
  }
  std::fprintf(stdout, "%s\n", created->token.c_str());
  const std::string expiry = created->key.expires_at
                                 ? "expires " + jobsched::core::FormatRfc3339(*created->key.expires_at)
                                 : std::string("never expires");
  std::fprintf(stderr,
               "created API key '%s' (role %s, namespace %s, %s). The token above is shown only now: "
               "store it safely; only its hash is kept.\n",
               created->key.name.c_str(), std::string(jobsched::core::ToString(created->key.role)).c_str(),
               created->key.namespace_name.c_str(), expiry.c_str());
  return 0;
}

// `jobsched keys revoke NAME`.
int RevokeKeyCommand(jobsched::store::ApiKeyStore& store, const jobsched::core::Clock& clock, const std::string& name) {
  auto revoked =
      jobsched::store::RevokeApiKeyAndWait(store, name, clock.Now(), jobsched::app::KeyCommandAudit(clock.Now()));
  if (!revoked) {
    spdlog::error("cannot revoke the key: {}", revoked.error().message);
    return 1;
  }
  std::fprintf(stderr,
               "API key '%s' is revoked since %s; running services stop accepting it within their "
               "key refresh interval.\n",
               revoked->name.c_str(), jobsched::core::FormatRfc3339(*revoked->revoked_at).c_str());
  return 0;
}

// `jobsched keys disable-auth`: a database that had keys serves without them again.
int DisableAuthCommand(jobsched::store::ApiKeyStore& store) {
  auto disabled = jobsched::store::DisableAuthenticationAndWait(store);
  if (!disabled) {
    spdlog::error("cannot disable authentication: {}", disabled.error().message);
    return 1;
  }
  std::fprintf(stderr, "%s\n",
               *disabled ? "authentication is no longer required for this database: services listening on "
                           "loopback without --require-auth serve every request without a key within their key "
                           "refresh interval, until a key is created again"
                         : "authentication was not required for this database; nothing changed");
  return 0;
}

// `jobsched keys list`: the table on standard output.
int ListKeysCommand(jobsched::store::ApiKeyStore& store) {
  auto keys = store.ListApiKeys();
  if (!keys) {
    spdlog::error("cannot list the keys: {}", keys.error().message);
    return 1;
  }
  std::fputs(jobsched::app::FormatKeyTable(*keys).c_str(), stdout);
  return 0;
}

// `jobsched keys create|list|revoke|disable-auth`. The token goes to standard output and
// nothing else does (logs go to standard error), so scripts can capture it.
int Keys(const Config& config, const Commands& commands) {
  auto store = jobsched::app::OpenKeyStore(config);
  if (!store) {
    spdlog::error("{}", store.error().message);
    return 1;
  }
  const jobsched::app::SystemClock clock;
  if (commands.create->parsed()) return CreateKeyCommand(**store, clock, commands.create_line);
  if (commands.revoke->parsed()) return RevokeKeyCommand(**store, clock, commands.revoke_name);
  if (commands.disable_auth->parsed()) return DisableAuthCommand(**store);
  return ListKeysCommand(**store);
}

// Logs at the configured level and format, to standard error (standard
// output is for results: the keys commands print theirs there). `auto` is
// readable text for a person at a terminal and JSON for whatever collects
// the log otherwise.
void ConfigureLogging(const jobsched::app::EffectiveConfig& effective) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("jobsched"));
  spdlog::set_level(SpdlogLevel(effective.config.log_level));
  const auto format = jobsched::app::ResolveLogFormat(effective.config.log_format, isatty(STDERR_FILENO) == 1);
  spdlog::set_formatter(format == jobsched::app::LogFormat::kText ? jobsched::telemetry::MakeTextLogFormatter()
                                                                  : jobsched::telemetry::MakeJsonLogFormatter());
  if (!effective.config_path.empty()) spdlog::info("configuration file: {}", effective.config_path);
}

// `config check`: the effective configuration, secrets redacted.
int CheckConfig(const CommandLine& line) {
  const auto effective = LoadOrExplain(line);
  if (!effective) return 1;
  std::fputs(jobsched::app::FormatEffectiveConfig(*effective).c_str(), stdout);
  return 0;
}

// The exit status after CLI11 refused the command line (`code`, 0 for
// --help): the client commands' documented 1 for a usage error (64 for
// `diff`, whose 1 means "changes"); the service commands keep CLI11's.
int UsageExit(int code, int argc, char** argv) {
  if (code == 0) return 0;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    const std::string command = argv[i];
    if (command == "diff") return jobsched::client::kExitDiffUsage;
    if (command == "job" || command == "run" || command == "apply" || command == "completion") {
      return jobsched::client::kExitUsage;
    }
    break;
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  jobsched::app::ConfigureDatabaseLibraries();  // before any thread exists
  try {
    CLI::App cli{"jobsched: a job scheduler service"};
    cli.set_version_flag("--version", std::string("jobsched ") + JOBSCHED_VERSION);
    cli.require_subcommand(1);
    Commands commands(cli);  // not const: CLI11 writes the flags into it
    jobsched::app::ClientCommands client(cli);

    try {
      cli.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      return UsageExit(cli.exit(error), argc, argv);
    }
    if (auto code = client.Run(cli)) return *code;
    if (commands.check->parsed()) return CheckConfig(commands.check_line);
    const auto effective = LoadOrExplain(commands.ParsedLine());
    if (!effective) return 1;
    ConfigureLogging(*effective);
    if (commands.serve->parsed()) return Serve(effective->config);
    if (commands.keys->parsed()) return Keys(effective->config, commands);
    return Migrate(effective->config);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "jobsched: fatal: %s\n", error.what());
    return 1;
  }
}
