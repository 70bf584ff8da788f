#include "app/config_report.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "app/redaction.hpp"
#include "app/settings.hpp"

namespace jobsched::app {
namespace {

// A TOML basic string.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Shown(const Setting& setting, const SettingValue& value) {
  const SettingValue shown = RedactedValue(setting, value);
  if (const auto* number = std::get_if<std::int64_t>(&shown)) return std::to_string(*number);
  if (const auto* flag = std::get_if<bool>(&shown)) return *flag ? "true" : "false";
  return Quoted(std::get<std::string>(shown));
}

std::string Describe(const SettingOrigin& origin) {
  switch (origin.source) {
    case SettingSource::kDefault: return "default";
    case SettingSource::kFile: return "file " + origin.where;
    case SettingSource::kEnvironment: return "environment " + origin.where;
    case SettingSource::kFlag: return "flag " + origin.where;
  }
  return "";
}

}  // namespace

SettingValue RedactedValue(const Setting& setting, const SettingValue& value) {
  if (setting.secret || IsSecretName(setting.key)) return std::string(kRedacted);
  if (const auto* text = std::get_if<std::string>(&value)) return RedactSecrets(*text);
  return value;
}

std::vector<std::pair<std::string, SettingValue>> RedactedSettings(const Config& config) {
  std::vector<std::pair<std::string, SettingValue>> settings;
  for (const Setting& setting : Settings()) {
    const SettingValue value = setting.get(config);
    const auto* text = std::get_if<std::string>(&value);
    settings.emplace_back(setting.key, text != nullptr && text->empty() ? value : RedactedValue(setting, value));
  }
  return settings;
}

std::string FormatEffectiveConfig(const EffectiveConfig& effective) {
  std::string out = "# jobsched effective configuration\n";
  if (effective.config_path.empty()) {
    out += "# configuration file: none (neither --config nor " + std::string(kConfigEnvName) + " was given)\n";
  } else {
    out += "# configuration file: " + effective.config_path + " (" + Describe(effective.config_path_origin) + ")\n";
  }
  out += "# precedence: flag > environment > file > default; secrets are shown as " + std::string(kRedacted) + "\n";

  std::vector<std::pair<std::string, std::string>> lines;  // statement, origin comment
  for (const Setting& setting : Settings()) {
    const auto origin = effective.origins.find(setting.key);
    const SettingOrigin& from = origin == effective.origins.end() ? SettingOrigin{} : origin->second;
    std::string statement;
    if (setting.env_only) {
      const bool set = from.source != SettingSource::kDefault;
      statement = "# " + std::string(setting.key) +
                  (set ? " = " + Shown(setting, setting.get(effective.config))
                       : " is not set (only " + EnvName(setting.key) + " sets it)");
      if (!set) {
        lines.emplace_back(statement, "");
        continue;
      }
    } else {
      statement = std::string(setting.key) + " = " + Shown(setting, setting.get(effective.config));
    }
    lines.emplace_back(statement, Describe(from));
  }
  std::size_t width = 0;
  for (const auto& [statement, comment] : lines) {
    if (!comment.empty()) width = std::max(width, std::min<std::size_t>(statement.size(), 48));
  }
  for (const auto& [statement, comment] : lines) {
    out += statement;
    if (!comment.empty())
      out += std::string(width > statement.size() ? width - statement.size() : 0, ' ') + "  # " + comment;
    out += '\n';
  }
  return out;
}

}  // namespace jobsched::app
