#include "app/config_file.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "testing/temp_dir.hpp"

namespace jobsched::app {
namespace {

TEST(ParseConfigText, ReturnsTopLevelEntriesInFileOrderWithLines) {
  auto file = ParseConfigText("# comment\nlisten = \"0.0.0.0:8000\"\n\nmax_concurrent_runs = 64\n", "a.toml");

  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->entries.size(), 2u);
  EXPECT_EQ(file->entries[0].key, "listen");
  EXPECT_EQ(file->entries[0].line, 2u);
  EXPECT_EQ(std::get<std::string>(*file->entries[0].value), "0.0.0.0:8000");
  EXPECT_EQ(file->entries[1].key, "max_concurrent_runs");
  EXPECT_EQ(file->entries[1].line, 4u);
  EXPECT_EQ(std::get<std::int64_t>(*file->entries[1].value), 64);
}

TEST(ParseConfigText, NamesTheTypeOfValuesNoSettingTakes) {
  auto file = ParseConfigText("a = 2026-01-01\nb = 1.5\nc = [1]\n[d]\ne = 1\n", "a.toml");

  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->entries.size(), 4u);
  EXPECT_EQ(file->entries[0].type_name, "local_date");
  EXPECT_FALSE(file->entries[0].value.has_value());
  EXPECT_EQ(file->entries[1].type_name, "floating");
  EXPECT_FALSE(file->entries[1].value.has_value());
  EXPECT_EQ(file->entries[2].type_name, "array");
  EXPECT_EQ(file->entries[3].type_name, "table");
  EXPECT_EQ(file->entries[3].line, 4u);
}

TEST(ParseConfigText, ReadsBooleans) {
  auto file = ParseConfigText("enable_shell_tasks = true\n", "a.toml");

  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->entries.size(), 1u);
  EXPECT_EQ(std::get<bool>(*file->entries[0].value), true);
}

TEST(ParseConfigText, ReportsSyntaxErrorsWithFileAndLine) {
  const struct {
    const char* text;
    const char* prefix;
  } cases[] = {
      {"listen = \"x\"\nlog_level info\n", "a.toml:2: "},
      {"db = \"unterminated\n", "a.toml:1: "},
      {"listen = \"a\"\nlisten = \"b\"\n", "a.toml:2: "},
  };

  for (const auto& c : cases) {
    auto file = ParseConfigText(c.text, "a.toml");

    ASSERT_FALSE(file.ok()) << c.text;
    EXPECT_EQ(file.error().message.rfind(c.prefix, 0), 0u) << file.error().message;
    EXPECT_EQ(file.error().message.find("[error]"), std::string::npos) << file.error().message;
  }
}

TEST(ReadConfigFile, ReadsAFile) {
  testing::TempDir dir;
  std::ofstream(dir.File("jobsched.toml")) << "log_level = \"debug\"\n";

  auto file = ReadConfigFile(dir.File("jobsched.toml"));

  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->path, dir.File("jobsched.toml"));
  ASSERT_EQ(file->entries.size(), 1u);
}

TEST(ReadConfigFile, FailsNamingAMissingFile) {
  testing::TempDir dir;

  auto file = ReadConfigFile(dir.File("missing.toml"));

  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message, dir.File("missing.toml") + ": No such file or directory");
}

TEST(ReadConfigFile, FailsOnADirectory) {
  testing::TempDir dir;

  auto file = ReadConfigFile(dir.path().string());

  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message, dir.path().string() + ": is a directory");
}

}  // namespace
}  // namespace jobsched::app
