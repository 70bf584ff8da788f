#pragma once

// The client configuration file: named profiles of connection settings, in
// TOML (like the service's own configuration file), by default
// $XDG_CONFIG_HOME/jobsched/client.toml (~/.config/jobsched/client.toml),
// or the file JOBSCHED_CLIENT_CONFIG names:
//
//   default_profile = "local"          # optional; else the profile "default"
//   [profiles.local]
//   server = "http://127.0.0.1:8000"
//   [profiles.prod]
//   server = "https://jobs.example.com"
//   token = "jsk_..."                  # or token_file = "/path/to/token"
//   cacert = "/etc/ssl/our-ca.pem"
//   namespace = "team-a"
//
// toml11 is compiled in profile_file.cpp and nowhere else in the client.

#include <map>
#include <optional>
#include <string>

#include "client/substitution.hpp"
#include "core/result.hpp"

namespace jobsched::client {

struct Profile {
  std::optional<std::string> server;
  std::optional<std::string> token;  // from `token`, or read from `token_file`
  std::optional<std::string> cacert;
  std::optional<std::string> namespace_name;
};

struct ProfileFile {
  std::string path;
  std::optional<std::string> default_profile;
  std::map<std::string, Profile> profiles;

  // The profile of that name, or null.
  const Profile* Find(const std::string& name) const;
};

// Where the file is: JOBSCHED_CLIENT_CONFIG, else
// $XDG_CONFIG_HOME/jobsched/client.toml, else $HOME/.config/jobsched/client.toml;
// empty when none of those variables is set.
std::string ProfileFilePath(const VariableLookup& environment);

// The file at `path`; nullopt when it does not exist. Fails with
// kInvalidArgument, naming the file, the line and the key, on bad TOML, an
// unknown key or a value of the wrong type, and when a token_file cannot
// be read.
core::Result<std::optional<ProfileFile>> ReadProfileFile(const std::string& path);

}  // namespace jobsched::client
