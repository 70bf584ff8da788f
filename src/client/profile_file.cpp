#include "client/profile_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml.hpp>

namespace jobsched::client {
namespace {

core::Error Problem(const std::string& path, const toml::value& at, const std::string& message) {
  return core::Error::InvalidArgument("", path + ":" + std::to_string(at.location().line()) + ": " + message);
}

core::Result<std::string> Text(const std::string& path, const std::string& key, const toml::value& value) {
  if (!value.is_string()) return Problem(path, value, key + ": expected a string");
  return value.as_string().str;
}

core::Result<std::string> ReadTokenFile(const std::string& path, const std::string& token_path, const toml::value& at) {
  std::ifstream in(token_path, std::ios::binary);
  if (!in) return Problem(path, at, "token_file: cannot read " + token_path);
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

core::Result<Profile> ReadProfile(const std::string& path, const std::string& name, const toml::value& table) {
  if (!table.is_table()) return Problem(path, table, "profiles." + name + ": expected a table");
  Profile profile;
  for (const auto& [key, value] : table.as_table()) {
    auto text = Text(path, "profiles." + name + "." + key, value);
    if (!text) return text.error();
    if (key == "server") {
      profile.server = *text;
    } else if (key == "token") {
      profile.token = *text;
    } else if (key == "token_file") {
      auto token = ReadTokenFile(path, *text, value);
      if (!token) return token.error();
      profile.token = *token;
    } else if (key == "cacert") {
      profile.cacert = *text;
    } else if (key == "namespace") {
      profile.namespace_name = *text;
    } else {
      return Problem(path, value,
                     "profiles." + name + "." + key + ": unknown key (server, token, token_file, cacert, namespace)");
    }
  }
  return profile;
}

core::Result<ProfileFile> ReadRoot(const std::string& path, const toml::value& root) {
  ProfileFile file{.path = path, .default_profile = std::nullopt, .profiles = {}};
  for (const auto& [key, value] : root.as_table()) {
    if (key == "default_profile") {
      auto text = Text(path, key, value);
      if (!text) return text.error();
      file.default_profile = *text;
    } else if (key == "profiles" && value.is_table()) {
      for (const auto& [name, table] : value.as_table()) {
        auto profile = ReadProfile(path, name, table);
        if (!profile) return profile.error();
        file.profiles[name] = *profile;
      }
    } else {
      return Problem(path, value, key + ": unknown key (default_profile, [profiles.NAME])");
    }
  }
  return file;
}

}  // namespace

const Profile* ProfileFile::Find(const std::string& name) const {
  auto found = profiles.find(name);
  return found == profiles.end() ? nullptr : &found->second;
}

std::string ProfileFilePath(const VariableLookup& environment) {
  if (auto path = environment("JOBSCHED_CLIENT_CONFIG"); path && !path->empty()) return *path;
  if (auto config = environment("XDG_CONFIG_HOME"); config && !config->empty()) {
    return *config + "/jobsched/client.toml";
  }
  if (auto home = environment("HOME"); home && !home->empty()) return *home + "/.config/jobsched/client.toml";
  return "";
}

core::Result<std::optional<ProfileFile>> ReadProfileFile(const std::string& path) {
  std::error_code error;
  if (path.empty() || !std::filesystem::exists(path, error)) return std::optional<ProfileFile>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error::InvalidArgument("", path + ": cannot read it");
  std::ostringstream text;
  text << in.rdbuf();
  // toml11 can only throw; its exceptions stop here.
  try {
    std::istringstream stream(text.str());
    const toml::value root = toml::parse(stream, path);
    auto file = ReadRoot(path, root);
    if (!file) return file.error();
    return std::optional<ProfileFile>(std::move(file).value());
  } catch (const toml::syntax_error& syntax) {
    return core::Error::InvalidArgument(
        "", path + ":" + std::to_string(syntax.location().line()) + ": not valid TOML: " + syntax.what());
  } catch (const std::exception& failure) {
    return core::Error::InvalidArgument("", path + ": " + failure.what());
  }
}

}  // namespace jobsched::client
