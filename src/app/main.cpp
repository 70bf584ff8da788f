// jobsched: a job scheduler service. `jobsched serve` runs it; `jobsched
// migrate` brings a database's schema up to date; `jobsched config check`
// validates a configuration and prints the effective one.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "telemetry/json_log_formatter.hpp"

#include "app/config.hpp"
#include "app/config_loader.hpp"
#include "app/config_report.hpp"
#include "app/redaction.hpp"
#include "app/settings.hpp"
#include "app/service.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace {

using jobsched::app::Config;

// The flags of one subcommand, bound by setting key; which were given is
// read back from CLI11 after parsing.
struct CommandLine {
  std::string config_path;
  CLI::Option* config_option = nullptr;
  std::map<std::string, std::string> values;
  std::map<std::string, bool> switches;  // boolean settings, flags without a value
  std::map<std::string, CLI::Option*> options;

  jobsched::app::ConfigSources Sources() const {
    jobsched::app::ConfigSources sources;
    if (config_option->count() > 0) sources.config_path = config_path;
    for (const auto& [key, option] : options) {
      if (option->count() == 0) continue;
      const auto on = switches.find(key);
      sources.flags[key] = on == switches.end() ? values.at(key) : (on->second ? "true" : "false");
    }
    return sources;
  }
};

// How a setting's default shows in --help.
std::string Shown(const jobsched::app::SettingValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return std::get<std::string>(value);
}

// --config and a flag for each setting in `keys` (all of them when empty).
// The environment and the file are read by LoadConfig, not by CLI11, so that
// precedence and the origin of every value are decided in one place.
void AddSettingOptions(CLI::App& command, CommandLine& line, std::initializer_list<std::string_view> keys = {}) {
  line.config_option =
      command.add_option("--config", line.config_path, "TOML configuration file [env: JOBSCHED_CONFIG]");
  const Config defaults;
  for (const jobsched::app::Setting& setting : jobsched::app::Settings()) {
    if (setting.env_only) continue;
    if (keys.size() > 0 && std::find(keys.begin(), keys.end(), setting.key) == keys.end()) continue;
    const std::string key(setting.key);
    const std::string help = std::string(setting.help) + " [env: " + jobsched::app::EnvName(key) + "]";
    if (setting.type == jobsched::app::SettingType::kBoolean) {
      line.options[key] = command.add_flag(jobsched::app::FlagName(key), line.switches[key], help);
      continue;
    }
    const std::string shown = Shown(setting.get(defaults));
    line.options[key] =
        command
            .add_option(jobsched::app::FlagName(key), line.values[key], help)
            ->default_str(shown)
            ->type_name(setting.type == jobsched::app::SettingType::kInteger ? "INT" : "TEXT");
  }
}

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
  auto url = jobsched::app::ParseDatabaseUrl(config.db);
  if (!url) {
    spdlog::error("db: {}", url.error().message);
    return 1;
  }
  const bool postgres = url->kind == jobsched::app::DatabaseUrl::Kind::kPostgres;
  auto version = postgres ? jobsched::store::postgres::PgDatabase::Migrate(url->location)
                          : jobsched::store::sqlite::SqliteJobStore::Migrate(url->location);
  if (!version) {
    spdlog::error("migration failed: {}", version.error().message);
    return 1;
  }
  spdlog::info("database {} is at schema version {}", jobsched::app::RedactSecrets(url->location), *version);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App cli{"jobsched: a job scheduler service"};
    cli.set_version_flag("--version", std::string("jobsched ") + JOBSCHED_VERSION);
    cli.require_subcommand(1);

    CommandLine serve_line;
    CLI::App* serve = cli.add_subcommand("serve", "Run the service (HTTP API)");
    AddSettingOptions(*serve, serve_line);
    CommandLine migrate_line;
    CLI::App* migrate = cli.add_subcommand("migrate", "Apply pending database migrations and exit");
    AddSettingOptions(*migrate, migrate_line, {"db", "log_level"});
    CLI::App* config = cli.add_subcommand("config", "Work with the configuration");
    config->require_subcommand(1);
    CommandLine check_line;
    CLI::App* check = config->add_subcommand(
        "check", "Validate the configuration (file, environment, flags) and print the effective one, secrets redacted");
    AddSettingOptions(*check, check_line);

    CLI11_PARSE(cli, argc, argv);
    if (check->parsed()) {
      const auto effective = LoadOrExplain(check_line);
      if (!effective) return 1;
      std::fputs(jobsched::app::FormatEffectiveConfig(*effective).c_str(), stdout);
      return 0;
    }
    const CommandLine& line = serve->parsed() ? serve_line : migrate_line;
    const auto effective = LoadOrExplain(line);
    if (!effective) return 1;
    spdlog::set_level(spdlog::level::from_str(effective->config.log_level));
    spdlog::set_formatter(effective->config.log_format == "text" ? jobsched::telemetry::MakeTextLogFormatter()
                                                                 : jobsched::telemetry::MakeJsonLogFormatter());
    if (!effective->config_path.empty()) spdlog::info("configuration file: {}", effective->config_path);
    if (serve->parsed()) return Serve(effective->config);
    return Migrate(effective->config);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "jobsched: fatal: %s\n", error.what());
    return 1;
  }
}
