#include "app/cli_commands.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>
#include <variant>

#include "app/config.hpp"
#include "app/settings.hpp"

namespace jobsched::app {
namespace {

// How a setting's default shows in --help.
std::string Shown(const SettingValue& value) {
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
  for (const Setting& setting : Settings()) {
    if (setting.env_only) continue;
    if (keys.size() > 0 && std::find(keys.begin(), keys.end(), setting.key) == keys.end()) continue;
    const std::string key(setting.key);
    const std::string help = std::string(setting.help) + " [env: " + EnvName(key) + "]";
    if (setting.type == SettingType::kBoolean) {
      line.options[key] = command.add_flag(FlagName(key), line.switches[key], help);
      continue;
    }
    const std::string shown = Shown(setting.get(defaults));
    line.options[key] = command.add_option(FlagName(key), line.values[key], help)
                            ->default_str(shown)
                            ->type_name(setting.type == SettingType::kInteger ? "INT" : "TEXT");
  }
}

// `jobsched keys create` and its flags.
CLI::App* AddKeyCreate(CLI::App& keys, KeyCreateLine& line) {
  CLI::App* create = keys.add_subcommand("create", "Create an API key and print its token (shown only once)");
  AddSettingOptions(*create, line.settings, {"db", "log_level"});
  create->add_option("--name", line.request.name, "Unique name of the key (never reused)")->required();
  create->add_option("--role", line.request.role, "read, write or admin")->required();
  create
      ->add_option("--namespace", line.request.namespace_name,
                   "The namespace a read or write key is confined to; for admin keys, where their new jobs go")
      ->default_str("default");
  line.rate_limit_option = create->add_option(
      "--rate-limit", line.rate_limit,
      "Requests per rate-limit window for this key (default: the service's --rate-limit; 0: no limit)");
  create->add_option("--expires-in", line.request.expires_in,
                     "The key stops working this long after its creation, e.g. 90d or 12h (default: never)");
  return create;
}

}  // namespace

ConfigSources CommandLine::Sources() const {
  ConfigSources sources;
  if (config_option->count() > 0) sources.config_path = config_path;
  for (const auto& [key, option] : options) {
    if (option->count() == 0) continue;
    const auto on = switches.find(key);
    sources.flags[key] = on == switches.end() ? values.at(key) : (on->second ? "true" : "false");
  }
  return sources;
}

Commands::Commands(CLI::App& cli) {
  serve = cli.add_subcommand("serve", "Run the service (HTTP API)");
  AddSettingOptions(*serve, serve_line);
  migrate = cli.add_subcommand("migrate", "Apply pending database migrations and exit");
  AddSettingOptions(*migrate, migrate_line, {"db", "log_level"});
  CLI::App* config = cli.add_subcommand("config", "Work with the configuration");
  config->require_subcommand(1);
  check = config->add_subcommand(
      "check", "Validate the configuration (file, environment, flags) and print the effective one, secrets redacted");
  AddSettingOptions(*check, check_line);

  keys = cli.add_subcommand("keys", "Create, list and revoke API keys");
  keys->require_subcommand(1);
  create = AddKeyCreate(*keys, create_line);
  list = keys->add_subcommand("list", "List API keys (never their tokens)");
  AddSettingOptions(*list, list_line, {"db", "log_level"});
  revoke = keys->add_subcommand("revoke", "Revoke an API key: it stops working within the key refresh interval");
  AddSettingOptions(*revoke, revoke_line, {"db", "log_level"});
  revoke->add_option("name", revoke_name, "The key's name")->required();
  disable_auth = keys->add_subcommand(
      "disable-auth",
      "Serve without authentication again: once a key has existed, a database requires API keys even after every "
      "key is revoked, until this (refused while a key is active)");
  AddSettingOptions(*disable_auth, disable_auth_line, {"db", "log_level"});
}

const CommandLine& Commands::ParsedLine() const {
  return serve->parsed()          ? serve_line
         : create->parsed()       ? create_line.settings
         : list->parsed()         ? list_line
         : revoke->parsed()       ? revoke_line
         : disable_auth->parsed() ? disable_auth_line
                                  : migrate_line;
}

}  // namespace jobsched::app
