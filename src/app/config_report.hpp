#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/config_loader.hpp"
#include "app/settings.hpp"

namespace jobsched::app {

// The effective configuration as TOML, for `jobsched config check`: every
// setting in the order of the settings table, each followed by a comment
// saying where its value came from. Secrets never appear: a setting marked
// secret or named like one (redaction.hpp) shows as REDACTED, and every
// other value passes through RedactSecrets (URL passwords, DSN passwords).
// Environment-only settings are comment lines, so the output, saved, is a
// valid configuration file.
std::string FormatEffectiveConfig(const EffectiveConfig& effective);

// `value` of `setting` as `config check` may show it: a secret (marked so or
// named like one, redaction.hpp) is kRedacted, other text passes through
// RedactSecrets (URL and DSN passwords), numbers and booleans stay.
SettingValue RedactedValue(const Setting& setting, const SettingValue& value);

// Every setting of `config` with its value as RedactedValue gives it, in the
// order of the settings table, for GET /about. A secret left empty shows as
// "" (there is nothing to hide, and it says it is not set).
std::vector<std::pair<std::string, SettingValue>> RedactedSettings(const Config& config);

}  // namespace jobsched::app
