#include "client/connection.hpp"

#include <gtest/gtest.h>

#include <map>

namespace jobsched::client {
namespace {

VariableLookup From(std::map<std::string, std::string> variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

ProfileFile File() {
  ProfileFile file;
  file.path = "client.toml";
  file.profiles["default"] = Profile{"http://default:8000", "token-default", std::nullopt, std::nullopt};
  file.profiles["prod"] = Profile{"https://prod.example.com", "token-prod", "/etc/ca.pem", "team-a"};
  return file;
}

TEST(ResolveConnection, DefaultsToTheLocalServiceWithoutATokenOrFile) {
  auto settings = ResolveConnection({}, From({}), nullptr);

  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->server, "http://127.0.0.1:8000");
  EXPECT_EQ(settings->token, "");
  EXPECT_EQ(settings->profile, "");
}

TEST(ResolveConnection, AFlagBeatsTheEnvironmentWhichBeatsTheProfile) {
  const ProfileFile file = File();
  ConnectionFlags flags;
  flags.profile = "prod";
  flags.server = "http://flag:1/";

  auto settings =
      ResolveConnection(flags, From({{"JOBSCHED_SERVER", "http://env:2"}, {"JOBSCHED_TOKEN", "env"}}), &file);

  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->server, "http://flag:1");  // trailing slash dropped
  EXPECT_EQ(settings->token, "env");
  EXPECT_EQ(settings->cacert, "/etc/ca.pem");
  EXPECT_EQ(settings->namespace_name, "team-a");
  EXPECT_EQ(settings->profile, "prod");
}

TEST(ResolveConnection, ChoosesTheProfileByFlagEnvironmentDefaultProfileThenDefault) {
  ProfileFile file = File();

  EXPECT_EQ(ResolveConnection({}, From({}), &file)->profile, "default");
  EXPECT_EQ(ResolveConnection({}, From({{"JOBSCHED_PROFILE", "prod"}}), &file)->profile, "prod");
  file.default_profile = "prod";
  EXPECT_EQ(ResolveConnection({}, From({}), &file)->server, "https://prod.example.com");
  ConnectionFlags flags;
  flags.profile = "default";
  EXPECT_EQ(ResolveConnection(flags, From({{"JOBSCHED_PROFILE", "prod"}}), &file)->token, "token-default");
}

TEST(ResolveConnection, RefusesAnUnknownProfileAndAServerThatIsNoHttpUrl) {
  const ProfileFile file = File();
  ConnectionFlags unknown;
  unknown.profile = "staging";
  ConnectionFlags ftp;
  ftp.server = "ftp://x";

  EXPECT_EQ(ResolveConnection(unknown, From({}), &file).error().message, "profile 'staging' is not in client.toml");
  EXPECT_FALSE(ResolveConnection(unknown, From({}), nullptr).ok());
  EXPECT_EQ(ResolveConnection(ftp, From({}), nullptr).error().field, "--server");
}

}  // namespace
}  // namespace jobsched::client
