#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.hpp"
#include "core/result.hpp"

namespace jobsched::app {

// Where a setting's value came from. Later sources win: a flag beats the
// environment, which beats the configuration file, which beats the default.
enum class SettingSource { kDefault, kFile, kEnvironment, kFlag };

// "default", "file", "environment", "flag".
std::string_view ToString(SettingSource source);

struct SettingOrigin {
  SettingSource source = SettingSource::kDefault;
  // "--listen", "JOBSCHED_LISTEN" or "/etc/jobsched/jobsched.toml:3"; empty
  // for a default.
  std::string where;
};

// The environment variable naming the configuration file when --config is not given.
inline constexpr std::string_view kConfigEnvName = "JOBSCHED_CONFIG";

// Looks up a variable of this process's environment; nullopt when unset.
std::optional<std::string> ProcessEnvironment(const std::string& name);

// What LoadConfig reads.
struct ConfigSources {
  // --config: the TOML file to read; without it, JOBSCHED_CONFIG names one,
  // and without that there is no file.
  std::optional<std::string> config_path;
  // Flags given on the command line, by setting key: {"max_concurrent_runs", "8"}.
  std::map<std::string, std::string> flags;
  // The environment; tests pass their own. An empty variable counts as unset.
  std::function<std::optional<std::string>(const std::string&)> environment = ProcessEnvironment;
};

// A Config and, for every setting key, where its value came from.
struct EffectiveConfig {
  Config config;
  std::map<std::string, SettingOrigin, std::less<>> origins;
  // The file read, "" for none, and where its name came from.
  std::string config_path;
  SettingOrigin config_path_origin;
};

// Builds the configuration from defaults, the file, the environment
// (JOBSCHED_<KEY>) and the flags, checking every value given, even one a
// later source overrides. Fails with kInvalidArgument listing every problem,
// one per line, each naming its source: "FILE:LINE: unknown key 'listn'; did
// you mean 'listen'?", "JOBSCHED_LOG_LEVEL: must be one of ...",
// "--max-concurrent-runs: expected an integer, got 'many'". Messages never
// repeat a secret's value.
core::Result<EffectiveConfig> LoadConfig(const ConfigSources& sources);

}  // namespace jobsched::app
