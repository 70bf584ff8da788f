#pragma once

// The jobsched command line: its subcommands (serve, migrate, config check,
// keys create|list|revoke|disable-auth), their flags (one per row of the settings table,
// plus the keys commands' own) and the configuration sources the flags given
// make. Compiled into the jobsched binary only, like CLI11 itself.

#include <cstdint>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "app/config_loader.hpp"
#include "app/key_commands.hpp"

namespace jobsched::app {

// The flags of one subcommand, bound by setting key; which were given is
// read back from CLI11 after parsing.
struct CommandLine {
  std::string config_path;
  CLI::Option* config_option = nullptr;
  std::map<std::string, std::string> values;
  std::map<std::string, bool> switches;  // boolean settings, flags without a value
  std::map<std::string, CLI::Option*> options;

  // The --config file and the flags, as given, for LoadConfig.
  ConfigSources Sources() const;
};

// The flags of `jobsched keys create`.
struct KeyCreateLine {
  CommandLine settings;
  NewKeyRequest request;
  std::int64_t rate_limit = -1;
  CLI::Option* rate_limit_option = nullptr;
};

// Every subcommand of `jobsched`, added to `cli` by the constructor, and the
// variables CLI11 parses their flags into. CLI11 keeps the addresses of those,
// so this is neither copied nor moved.
struct Commands {
  explicit Commands(CLI::App& cli);
  Commands(const Commands&) = delete;
  Commands& operator=(const Commands&) = delete;

  // The settings flags of the subcommand that was parsed, other than
  // `config check` (whose are check_line): serve, migrate or a keys command.
  const CommandLine& ParsedLine() const;

  CommandLine serve_line;
  CLI::App* serve = nullptr;
  CommandLine migrate_line;
  CLI::App* migrate = nullptr;
  CommandLine check_line;
  CLI::App* check = nullptr;  // `config check`
  CLI::App* keys = nullptr;
  KeyCreateLine create_line;
  CLI::App* create = nullptr;
  CommandLine list_line;
  CLI::App* list = nullptr;
  CommandLine revoke_line;
  std::string revoke_name;
  CLI::App* revoke = nullptr;
  CommandLine disable_auth_line;
  CLI::App* disable_auth = nullptr;
};

}  // namespace jobsched::app
