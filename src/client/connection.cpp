#include "client/connection.hpp"

namespace jobsched::client {
namespace {

// The first of flag, environment variable and profile value that is set.
std::optional<std::string> FirstOf(const std::optional<std::string>& flag, const VariableLookup& environment,
                                   const char* variable, const std::optional<std::string>& profile_value) {
  if (flag) return flag;
  if (auto value = environment(variable); value && !value->empty()) return value;
  return profile_value;
}

core::Result<const Profile*> ChooseProfile(const ConnectionFlags& flags, const VariableLookup& environment,
                                           const ProfileFile* file, std::string& chosen) {
  std::optional<std::string> asked = flags.profile;
  if (!asked) {
    if (auto value = environment("JOBSCHED_PROFILE"); value && !value->empty()) asked = value;
  }
  if (asked) {
    const Profile* profile = file != nullptr ? file->Find(*asked) : nullptr;
    if (profile == nullptr) {
      return core::Error::InvalidArgument(
          "--profile", "profile '" + *asked + "' is not in " +
                           (file != nullptr ? file->path : std::string("the client configuration file (none found)")));
    }
    chosen = *asked;
    return profile;
  }
  if (file == nullptr) return static_cast<const Profile*>(nullptr);
  const std::string fallback = file->default_profile.value_or("default");
  const Profile* profile = file->Find(fallback);
  if (profile == nullptr && file->default_profile) {
    return core::Error::InvalidArgument("default_profile",
                                        file->path + ": default_profile '" + fallback + "' is not one of its profiles");
  }
  if (profile != nullptr) chosen = fallback;
  return profile;
}

}  // namespace

core::Result<ConnectionSettings> ResolveConnection(const ConnectionFlags& flags, const VariableLookup& environment,
                                                   const ProfileFile* file) {
  ConnectionSettings settings;
  auto profile = ChooseProfile(flags, environment, file, settings.profile);
  if (!profile) return profile.error();
  const Profile empty;
  const Profile& from = *profile != nullptr ? **profile : empty;
  if (auto server = FirstOf(flags.server, environment, "JOBSCHED_SERVER", from.server)) settings.server = *server;
  if (auto token = FirstOf(flags.token, environment, "JOBSCHED_TOKEN", from.token)) settings.token = *token;
  if (auto cacert = FirstOf(flags.cacert, environment, "JOBSCHED_CACERT", from.cacert)) settings.cacert = *cacert;
  if (auto ns = FirstOf(flags.namespace_name, environment, "JOBSCHED_NAMESPACE", from.namespace_name)) {
    settings.namespace_name = *ns;
  }
  while (!settings.server.empty() && settings.server.back() == '/') settings.server.pop_back();
  if (settings.server.rfind("http://", 0) != 0 && settings.server.rfind("https://", 0) != 0) {
    return core::Error::InvalidArgument(
        "--server", "--server: must start with http:// or https://, got '" + settings.server.substr(0, 64) + "'");
  }
  return settings;
}

}  // namespace jobsched::client
