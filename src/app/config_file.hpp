#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/settings.hpp"
#include "core/result.hpp"

namespace jobsched::app {

// One top-level `key = value` of a configuration file, as written.
struct FileEntry {
  std::string key;
  // The value when it is a TOML string, integer or boolean, the only types a
  // setting takes; empty for any other type, which `type_name` then names.
  std::optional<SettingValue> value;
  // "string", "integer", "boolean", "floating", "array", "table", ...
  std::string type_name;
  // 1-based line of the value in the file.
  std::size_t line = 0;
};

// A parsed TOML configuration file: its top-level entries in file order.
// Knows nothing of settings; the loader checks keys and types.
struct ConfigFile {
  std::string path;
  std::vector<FileEntry> entries;
};

// Reads and parses the TOML file at `path`. Fails with kInvalidArgument for a
// file that cannot be read ("PATH: No such file or directory") or is not
// valid TOML ("PATH:LINE: what is wrong", then the line in question).
core::Result<ConfigFile> ReadConfigFile(const std::string& path);

// Parses `text` as if read from a file named `path`.
core::Result<ConfigFile> ParseConfigText(std::string_view text, const std::string& path);

}  // namespace jobsched::app
