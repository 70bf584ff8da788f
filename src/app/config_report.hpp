#pragma once

#include <string>

#include "app/config_loader.hpp"

namespace jobsched::app {

// The effective configuration as TOML, for `jobsched config check`: every
// setting in the order of the settings table, each followed by a comment
// saying where its value came from. Secrets never appear: a setting marked
// secret or named like one (redaction.hpp) shows as REDACTED, and every
// other value passes through RedactSecrets (URL passwords, DSN passwords).
// Environment-only settings are comment lines, so the output, saved, is a
// valid configuration file.
std::string FormatEffectiveConfig(const EffectiveConfig& effective);

}  // namespace jobsched::app
