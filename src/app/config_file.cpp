#include "app/config_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml.hpp>

namespace jobsched::app {
namespace {

// toml11's message reads "[error] toml::parse_key_value_pair: missing
// key-value separator `=`" and then shows the line; we keep the words after
// the parser function's name, and the lines that show where.
std::string SyntaxMessage(const toml::syntax_error& error, const std::string& path) {
  std::string text = error.what();
  const std::size_t end_of_first = text.find('\n');
  std::string summary = text.substr(0, end_of_first);
  const std::string rest = end_of_first == std::string::npos ? "" : text.substr(end_of_first);
  if (summary.rfind("[error] ", 0) == 0) summary.erase(0, 8);
  if (summary.rfind("toml::", 0) == 0) {
    const std::size_t colon = summary.find(": ");
    if (colon != std::string::npos) summary.erase(0, colon + 2);
  }
  return path + ":" + std::to_string(error.location().line()) + ": " + summary + rest;
}

std::string TypeName(toml::value_t type) {
  std::ostringstream name;
  name << type;
  return name.str();
}

}  // namespace

core::Result<ConfigFile> ParseConfigText(std::string_view text, const std::string& path) {
  toml::value root;
  // toml11 can only throw; its exceptions stop here.
  try {
    std::istringstream stream{std::string(text)};
    root = toml::parse(stream, path);
  } catch (const toml::syntax_error& error) {
    return core::Error::InvalidArgument("", SyntaxMessage(error, path));
  } catch (const std::exception& error) {
    return core::Error::InvalidArgument("", path + ": " + error.what());
  }
  ConfigFile file{.path = path, .entries = {}};
  for (const auto& [key, value] : root.as_table()) {
    FileEntry entry{
        .key = key, .value = std::nullopt, .type_name = TypeName(value.type()), .line = value.location().line()};
    if (value.is_string()) entry.value = value.as_string().str;
    if (value.is_integer()) entry.value = static_cast<std::int64_t>(value.as_integer());
    if (value.is_boolean()) entry.value = value.as_boolean();
    file.entries.push_back(std::move(entry));
  }
  // The table is unordered; errors read best in the order of the file.
  std::sort(file.entries.begin(), file.entries.end(), [](const FileEntry& a, const FileEntry& b) {
    return a.line < b.line || (a.line == b.line && a.key < b.key);
  });
  return file;
}

core::Result<ConfigFile> ReadConfigFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return core::Error::InvalidArgument("", path + ": is a directory");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return core::Error::InvalidArgument("", path + ": " + std::strerror(errno));
  std::ostringstream content;
  content << stream.rdbuf();
  if (stream.bad()) return core::Error::InvalidArgument("", path + ": read error");
  return ParseConfigText(content.str(), path);
}

}  // namespace jobsched::app
