#include "client/profile_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.hpp"

namespace jobsched::client {
namespace {

TEST(ProfileFilePath, PrefersTheVariableThenXdgConfigHomeThenHome) {
  auto lookup = [](std::map<std::string, std::string> variables) {
    return [variables](const std::string& name) -> std::optional<std::string> {
      auto found = variables.find(name);
      if (found == variables.end()) return std::nullopt;
      return found->second;
    };
  };

  EXPECT_EQ(ProfileFilePath(lookup({{"JOBSCHED_CLIENT_CONFIG", "/x.toml"}, {"HOME", "/h"}})), "/x.toml");
  EXPECT_EQ(ProfileFilePath(lookup({{"XDG_CONFIG_HOME", "/c"}, {"HOME", "/h"}})), "/c/jobsched/client.toml");
  EXPECT_EQ(ProfileFilePath(lookup({{"HOME", "/h"}})), "/h/.config/jobsched/client.toml");
  EXPECT_EQ(ProfileFilePath(lookup({})), "");
}

TEST(ReadProfileFile, ReadsProfilesAndATokenFromItsFile) {
  jobsched::testing::TempDir dir;
  std::ofstream(dir.File("token")) << "jsk_from_file\n";
  std::ofstream(dir.File("client.toml")) << "default_profile = \"prod\"\n"
                                         << "[profiles.prod]\nserver = \"https://prod\"\ntoken_file = \""
                                         << dir.File("token") << "\"\nnamespace = \"team-a\"\n";

  auto file = ReadProfileFile(dir.File("client.toml"));

  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_TRUE(file->has_value());
  EXPECT_EQ((*file)->default_profile, "prod");
  const Profile* prod = (*file)->Find("prod");
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->server, "https://prod");
  EXPECT_EQ(prod->token, "jsk_from_file");
  EXPECT_EQ(prod->namespace_name, "team-a");
}

TEST(ReadProfileFile, AMissingFileIsNoFileAndMistakesNameTheLine) {
  jobsched::testing::TempDir dir;
  std::ofstream(dir.File("bad.toml")) << "[profiles.x]\nserver = \"http://a\"\nsevrer = \"http://b\"\n";
  std::ofstream(dir.File("broken.toml")) << "[profiles.x\n";

  EXPECT_FALSE(ReadProfileFile(dir.File("none.toml"))->has_value());
  auto bad = ReadProfileFile(dir.File("bad.toml"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("bad.toml:3: profiles.x.sevrer: unknown key"), std::string::npos)
      << bad.error().message;
  EXPECT_FALSE(ReadProfileFile(dir.File("broken.toml")).ok());
}

}  // namespace
}  // namespace jobsched::client
