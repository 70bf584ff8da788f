#pragma once

// Where the client commands send their requests, and as whom: from flags,
// then JOBSCHED_* environment variables, then a profile of the client
// configuration file, then defaults (a flag beats the environment, which
// beats the profile).

#include <chrono>
#include <optional>
#include <string>

#include "client/profile_file.hpp"
#include "client/substitution.hpp"
#include "core/result.hpp"

namespace jobsched::client {

constexpr std::string_view kDefaultServer = "http://127.0.0.1:8000";

struct ConnectionSettings {
  std::string server{kDefaultServer};         // base URL, no trailing slash
  std::string token;                          // empty: send no Authorization (never printed or logged)
  std::string cacert;                         // a PEM file of CAs to trust instead of the system's; empty: the system's
  std::string namespace_name;                 // for names and job files without one; empty: "default"
  std::string profile;                        // the profile used, if any (for messages)
  std::chrono::milliseconds timeout{30'000};  // per request
};

// What the flags gave (--server, --token, --cacert, --namespace, --profile).
struct ConnectionFlags {
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::string> cacert;
  std::optional<std::string> namespace_name;
  std::optional<std::string> profile;
};

// The settings from `flags`, the environment (JOBSCHED_SERVER,
// JOBSCHED_TOKEN, JOBSCHED_CACERT, JOBSCHED_NAMESPACE, JOBSCHED_PROFILE) and
// `file` (may be null: no configuration file). The profile is --profile,
// else JOBSCHED_PROFILE, else the file's default_profile, else "default" if
// the file has one. Fails with kInvalidArgument for a profile asked for
// (by flag or environment) that the file lacks, or a server URL that is
// neither http:// nor https://.
core::Result<ConnectionSettings> ResolveConnection(const ConnectionFlags& flags, const VariableLookup& environment,
                                                   const ProfileFile* file);

}  // namespace jobsched::client
