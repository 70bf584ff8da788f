#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "app/config.hpp"
#include "core/result.hpp"

namespace jobsched::app {

// The TOML type a setting takes in the configuration file. Flags and
// environment variables are text; an integer or boolean setting parses it. A
// boolean setting is a flag without a value on the command line
// (--enable-shell-tasks), or given one (--enable-shell-tasks=false).
enum class SettingType { kString, kInteger, kBoolean };

// One value as read from a source, before its setting checks it.
using SettingValue = std::variant<std::string, std::int64_t, bool>;

// One setting of Config, known by its key: `max_concurrent_runs` is the file
// key, --max-concurrent-runs the flag and JOBSCHED_MAX_CONCURRENT_RUNS the
// environment variable. Adding a setting is adding a row to the table in
// settings.cpp; the loader, the CLI and `config check` all read that table.
struct Setting {
  std::string_view key;
  std::string_view help;
  SettingType type = SettingType::kString;
  // Read only from the environment (credentials): refused as a flag or file key.
  bool env_only = false;
  // Never shown: `config check` prints only whether it is set.
  bool secret = false;
  // Checks `value` and stores it in `config`. Fails with kInvalidArgument; the
  // message says what is wrong, not where the value came from.
  core::Result<void> (*apply)(const SettingValue& value, Config& config) = nullptr;
  // The current value of the setting in `config`, unredacted.
  SettingValue (*get)(const Config& config) = nullptr;
};

// Every setting, in the order `config check` prints them.
std::span<const Setting> Settings();

// The setting named `key`, or nullptr.
const Setting* FindSetting(std::string_view key);

// The value of setting `key` in `config` as text ("auto", "30s", "8"), as
// `config check` shows it before quoting; "" for an unknown key.
std::string SettingText(const Config& config, std::string_view key);

// The known key closest to `key` (a likely typo), or "" when none is close.
std::string_view ClosestSettingKey(std::string_view key);

// "--max-concurrent-runs" for "max_concurrent_runs".
std::string FlagName(std::string_view key);

// "JOBSCHED_MAX_CONCURRENT_RUNS" for "max_concurrent_runs".
std::string EnvName(std::string_view key);

}  // namespace jobsched::app
