#include "app/config_loader.hpp"

#include <charconv>
#include <cstdlib>
#include <vector>

#include "app/config_file.hpp"
#include "app/settings.hpp"

namespace jobsched::app {
namespace {

// Collects every problem, so one `config check` shows them all.
class Problems {
 public:
  void Add(const std::string& where, std::string_view message) { AddLine(where + ": " + std::string(message)); }
  void AddLine(const std::string& line) { lines_ += (lines_.empty() ? "" : "\n") + line; }
  bool empty() const { return lines_.empty(); }
  core::Error ToError() const { return core::Error::InvalidArgument("", lines_); }

 private:
  std::string lines_;
};

std::string ValueTypeName(SettingType type) {
  switch (type) {
    case SettingType::kInteger: return "an integer";
    case SettingType::kBoolean: return "a boolean";
    case SettingType::kString: break;
  }
  return "a string";
}

bool HoldsType(const SettingValue& value, SettingType type) {
  switch (type) {
    case SettingType::kInteger: return std::holds_alternative<std::int64_t>(value);
    case SettingType::kBoolean: return std::holds_alternative<bool>(value);
    case SettingType::kString: break;
  }
  return std::holds_alternative<std::string>(value);
}

// Flags and environment variables are text; an integer or boolean setting parses it.
core::Result<SettingValue> FromText(const Setting& setting, const std::string& text) {
  if (setting.type == SettingType::kString) return SettingValue{text};
  if (setting.type == SettingType::kBoolean) {
    if (text == "true" || text == "1") return SettingValue{true};
    if (text == "false" || text == "0") return SettingValue{false};
    return core::Error::InvalidArgument("", "expected true or false, got '" + text.substr(0, 64) + "'");
  }
  std::int64_t number = 0;
  const char* end = text.data() + text.size();
  const auto [last, error] = std::from_chars(text.data(), end, number);
  if (text.empty() || error != std::errc() || last != end) {
    return core::Error::InvalidArgument("", "expected an integer, got '" + text.substr(0, 64) + "'");
  }
  return SettingValue{number};
}

void Apply(const Setting& setting, const SettingValue& value, SettingOrigin origin, EffectiveConfig& effective,
           Problems& problems, std::string_view label) {
  if (auto applied = setting.apply(value, effective.config); !applied) {
    problems.Add(std::string(label), applied.error().message);
    return;
  }
  effective.origins[std::string(setting.key)] = std::move(origin);
}

void ApplyFile(const ConfigFile& file, EffectiveConfig& effective, Problems& problems) {
  for (const FileEntry& entry : file.entries) {
    const std::string where = file.path + ":" + std::to_string(entry.line);
    const Setting* setting = FindSetting(entry.key);
    if (setting == nullptr) {
      std::string message = "unknown key '" + entry.key.substr(0, 64) + "'";
      const std::string_view closest = ClosestSettingKey(entry.key);
      if (!closest.empty()) message += "; did you mean '" + std::string(closest) + "'?";
      problems.Add(where, message);
      continue;
    }
    if (setting->env_only) {
      problems.Add(where, entry.key + " is read only from the environment (" + EnvName(entry.key) +
                              "), so credentials stay out of configuration files");
      continue;
    }
    const bool type_matches = entry.value.has_value() && HoldsType(*entry.value, setting->type);
    if (!type_matches) {
      problems.Add(where, entry.key + ": expected " + ValueTypeName(setting->type) + ", got " +
                              (entry.type_name == "integer" ? "an " : "a ") + entry.type_name);
      continue;
    }
    Apply(*setting, *entry.value, {SettingSource::kFile, where}, effective, problems, where + ": " + entry.key);
  }
}

void ApplyText(const Setting& setting, const std::string& text, SettingOrigin origin, EffectiveConfig& effective,
               Problems& problems) {
  const std::string label = origin.where;
  auto value = FromText(setting, text);
  if (!value) {
    problems.Add(label, value.error().message);
    return;
  }
  Apply(setting, *value, std::move(origin), effective, problems, label);
}

std::optional<std::string> NonEmpty(const ConfigSources& sources, const std::string& name) {
  auto value = sources.environment(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string_view ToString(SettingSource source) {
  switch (source) {
    case SettingSource::kDefault: return "default";
    case SettingSource::kFile: return "file";
    case SettingSource::kEnvironment: return "environment";
    case SettingSource::kFlag: return "flag";
  }
  return "unknown";
}

std::optional<std::string> ProcessEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

core::Result<EffectiveConfig> LoadConfig(const ConfigSources& sources) {
  EffectiveConfig effective;
  for (const Setting& setting : Settings()) effective.origins[std::string(setting.key)] = SettingOrigin{};
  Problems problems;

  if (sources.config_path) {
    effective.config_path = *sources.config_path;
    effective.config_path_origin = {SettingSource::kFlag, "--config"};
  } else if (auto path = NonEmpty(sources, std::string(kConfigEnvName))) {
    effective.config_path = *path;
    effective.config_path_origin = {SettingSource::kEnvironment, std::string(kConfigEnvName)};
  }
  if (!effective.config_path.empty()) {
    auto file = ReadConfigFile(effective.config_path);
    if (file) {
      ApplyFile(*file, effective, problems);
    } else {
      problems.AddLine(file.error().message);  // it names the file
    }
  } else if (sources.config_path) {
    problems.Add("--config", "needs a file name");
  }

  for (const Setting& setting : Settings()) {
    const std::string name = EnvName(setting.key);
    if (auto text = NonEmpty(sources, name)) {
      ApplyText(setting, *text, {SettingSource::kEnvironment, name}, effective, problems);
    }
  }
  for (const auto& [key, text] : sources.flags) {
    const Setting* setting = FindSetting(key);
    if (setting == nullptr || setting->env_only) {
      problems.Add(FlagName(key), "no such flag");
      continue;
    }
    ApplyText(*setting, text, {SettingSource::kFlag, FlagName(key)}, effective, problems);
  }

  if (!problems.empty()) return problems.ToError();
  return effective;
}

}  // namespace jobsched::app
