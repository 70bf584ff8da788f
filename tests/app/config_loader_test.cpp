#include "app/config_loader.hpp"

#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "testing/temp_dir.hpp"

namespace jobsched::app {
namespace {

using Environment = std::map<std::string, std::string>;

class ConfigLoader : public ::testing::Test {
 protected:
  // Writes the configuration file and returns its path.
  std::string WriteFile(const std::string& text) {
    const std::string path = dir_.File("jobsched.toml");
    std::ofstream(path) << text;
    return path;
  }

  ConfigSources Sources(std::optional<std::string> config_path, Environment environment = {},
                        std::map<std::string, std::string> flags = {}) {
    ConfigSources sources;
    sources.config_path = std::move(config_path);
    sources.flags = std::move(flags);
    sources.environment = [environment =
                               std::move(environment)](const std::string& name) -> std::optional<std::string> {
      const auto found = environment.find(name);
      if (found == environment.end()) return std::nullopt;
      return found->second;
    };
    return sources;
  }

  testing::TempDir dir_;
};

TEST_F(ConfigLoader, UsesDefaultsWithoutAnySource) {
  auto effective = LoadConfig(Sources(std::nullopt));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  EXPECT_EQ(effective->config.listen, Config{}.listen);
  EXPECT_EQ(effective->config.max_concurrent_runs, Config{}.max_concurrent_runs);
  EXPECT_EQ(effective->config_path, "");
  EXPECT_EQ(effective->origins.at("listen").source, SettingSource::kDefault);
}

TEST_F(ConfigLoader, ReadsEverySettingTypeFromTheFile) {
  const std::string path = WriteFile(
      "listen = \"0.0.0.0:9000\"\n"
      "db = \"sqlite:/var/lib/jobsched/jobs.db\"\n"
      "log_level = \"debug\"\n"
      "http_threads = 2\n"
      "max_concurrent_runs = 64\n"
      "shutdown_grace = \"45s\"\n"
      "drain_delay = \"5s\"\n"
      "lease_timeout = \"1m\"\n"
      "smtp_url = \"smtp://mail:587\"\n"
      "smtp_tls = \"starttls\"\n"
      "smtp_from = \"jobs@example.com\"\n"
      "default_email_to = \"ops@example.com\"\n"
      "docs_dir = \"/usr/share/swagger\"\n");

  auto effective = LoadConfig(Sources(path));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  const Config& config = effective->config;
  EXPECT_EQ(config.listen, (ListenAddress{"0.0.0.0", 9000}));
  EXPECT_EQ(config.db, (DatabaseUrl{DatabaseUrl::Kind::kSqlite, "/var/lib/jobsched/jobs.db"}));
  EXPECT_EQ(config.log_level, LogLevel::kDebug);
  EXPECT_EQ(config.http_threads, 2u);
  EXPECT_EQ(config.max_concurrent_runs, 64u);
  EXPECT_EQ(config.shutdown_grace, std::chrono::seconds{45});
  EXPECT_EQ(config.drain_delay, std::chrono::seconds{5});
  EXPECT_EQ(config.lease_timeout, std::chrono::minutes{1});
  EXPECT_EQ(config.smtp_url, "smtp://mail:587");
  EXPECT_EQ(config.smtp_tls, SmtpTlsMode::kStartTls);
  EXPECT_EQ(config.smtp_from, "jobs@example.com");
  EXPECT_EQ(config.default_email_to, "ops@example.com");
  EXPECT_EQ(config.docs_dir, "/usr/share/swagger");
  EXPECT_EQ(effective->config_path, path);
  EXPECT_EQ(effective->origins.at("max_concurrent_runs").source, SettingSource::kFile);
  EXPECT_EQ(effective->origins.at("max_concurrent_runs").where, path + ":5");
}

TEST_F(ConfigLoader, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  const std::string path = WriteFile(
      "listen = \"127.0.0.1:1001\"\n"
      "log_level = \"debug\"\n"
      "max_concurrent_runs = 10\n");
  const Environment environment{{"JOBSCHED_LOG_LEVEL", "warn"}, {"JOBSCHED_MAX_CONCURRENT_RUNS", "20"}};
  const std::map<std::string, std::string> flags{{"max_concurrent_runs", "30"}};

  auto effective = LoadConfig(Sources(path, environment, flags));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  EXPECT_EQ(effective->config.max_concurrent_runs, 30u);
  EXPECT_EQ(effective->origins.at("max_concurrent_runs").source, SettingSource::kFlag);
  EXPECT_EQ(effective->origins.at("max_concurrent_runs").where, "--max-concurrent-runs");
  EXPECT_EQ(effective->config.log_level, LogLevel::kWarn);
  EXPECT_EQ(effective->origins.at("log_level").source, SettingSource::kEnvironment);
  EXPECT_EQ(effective->origins.at("log_level").where, "JOBSCHED_LOG_LEVEL");
  EXPECT_EQ(effective->config.listen, (ListenAddress{"127.0.0.1", 1001}));
  EXPECT_EQ(effective->origins.at("listen").source, SettingSource::kFile);
  EXPECT_EQ(effective->config.lease_timeout, Config{}.lease_timeout);
  EXPECT_EQ(effective->origins.at("lease_timeout").source, SettingSource::kDefault);
}

TEST_F(ConfigLoader, TakesTheFileFromTheEnvironmentWithoutTheFlag) {
  const std::string path = WriteFile("log_level = \"error\"\n");

  auto effective = LoadConfig(Sources(std::nullopt, {{"JOBSCHED_CONFIG", path}}));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  EXPECT_EQ(effective->config.log_level, LogLevel::kError);
  EXPECT_EQ(effective->config_path_origin.source, SettingSource::kEnvironment);
}

TEST_F(ConfigLoader, PrefersTheConfigFlagToTheEnvironment) {
  const std::string path = WriteFile("log_level = \"error\"\n");

  auto effective = LoadConfig(Sources(path, {{"JOBSCHED_CONFIG", dir_.File("other.toml")}}));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  EXPECT_EQ(effective->config_path, path);
  EXPECT_EQ(effective->config_path_origin.where, "--config");
}

TEST_F(ConfigLoader, IgnoresEmptyEnvironmentVariables) {
  auto effective = LoadConfig(Sources(std::nullopt, {{"JOBSCHED_LISTEN", ""}, {"JOBSCHED_CONFIG", ""}}));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  EXPECT_EQ(effective->config.listen, Config{}.listen);
  EXPECT_EQ(effective->config_path, "");
}

TEST_F(ConfigLoader, ReadsCredentialsFromTheEnvironment) {
  auto effective =
      LoadConfig(Sources(std::nullopt, {{"JOBSCHED_SMTP_USERNAME", "mailer"}, {"JOBSCHED_SMTP_PASSWORD", "pw"}}));

  ASSERT_TRUE(effective.ok()) << effective.error().message;
  EXPECT_EQ(effective->config.smtp_username, "mailer");
  EXPECT_EQ(effective->config.smtp_password, "pw");
  EXPECT_EQ(effective->origins.at("smtp_password").source, SettingSource::kEnvironment);
}

TEST_F(ConfigLoader, RefusesCredentialsInTheFile) {
  const std::string path = WriteFile("smtp_password = \"pw\"\n");

  auto effective = LoadConfig(Sources(path));

  ASSERT_FALSE(effective.ok());
  EXPECT_EQ(effective.error().message,
            path +
                ":1: smtp_password is read only from the environment (JOBSCHED_SMTP_PASSWORD), so credentials "
                "stay out of configuration files");
  EXPECT_EQ(effective.error().message.find("\"pw\""), std::string::npos);
}

TEST_F(ConfigLoader, NamesUnknownKeysWithTheirLineAndASuggestion) {
  const std::string path = WriteFile("listen = \"127.0.0.1:1\"\n\nlisn = \"x\"\n");

  auto effective = LoadConfig(Sources(path));

  ASSERT_FALSE(effective.ok());
  EXPECT_EQ(effective.error().message, path + ":3: unknown key 'lisn'; did you mean 'listen'?");
}

TEST_F(ConfigLoader, NamesWrongTypesWithTheirLine) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"max_concurrent_runs = \"64\"\n", ":1: max_concurrent_runs: expected an integer, got a string"},
      {"listen = 8000\n", ":1: listen: expected a string, got an integer"},
      {"log_level = true\n", ":1: log_level: expected a string, got a boolean"},
      {"# smtp settings\n[smtp]\nurl = \"smtp://x\"\n", ":2: unknown key 'smtp'"},
      {"http_threads = 1.5\n", ":1: http_threads: expected an integer, got a floating"},
      {"enable_shell_tasks = \"yes\"\n", ":1: enable_shell_tasks: expected a boolean, got a string"},
  };

  for (const auto& c : cases) {
    const std::string path = WriteFile(c.text);

    auto effective = LoadConfig(Sources(path));

    ASSERT_FALSE(effective.ok()) << c.text;
    EXPECT_EQ(effective.error().message, path + c.expected);
  }
}

TEST_F(ConfigLoader, ReadsBooleanSettingsFromEverySource) {
  const std::string on_in_file = WriteFile("enable_shell_tasks = true\n");

  auto from_file = LoadConfig(Sources(on_in_file));
  auto from_environment = LoadConfig(Sources(std::nullopt, {{"JOBSCHED_ENABLE_SHELL_TASKS", "1"}}));
  auto off_by_flag = LoadConfig(Sources(on_in_file, {}, {{"enable_shell_tasks", "false"}}));
  auto bad = LoadConfig(Sources(std::nullopt, {{"JOBSCHED_ENABLE_SHELL_TASKS", "maybe"}}));

  ASSERT_TRUE(from_file.ok() && from_environment.ok() && off_by_flag.ok());
  EXPECT_FALSE(Config{}.enable_shell_tasks);
  EXPECT_TRUE(from_file->config.enable_shell_tasks);
  EXPECT_TRUE(from_environment->config.enable_shell_tasks);
  EXPECT_FALSE(off_by_flag->config.enable_shell_tasks);
  EXPECT_EQ(off_by_flag->origins.at("enable_shell_tasks").where, "--enable-shell-tasks");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "JOBSCHED_ENABLE_SHELL_TASKS: expected true or false, got 'maybe'");
}

TEST_F(ConfigLoader, ChecksValuesFromEverySource) {
  const std::string path = WriteFile("max_concurrent_runs = 0\nshutdown_grace = \"soon\"\n");
  const Environment environment{{"JOBSCHED_LOG_LEVEL", "loud"}, {"JOBSCHED_HTTP_THREADS", "two"}};
  const std::map<std::string, std::string> flags{{"listen", "nowhere"}, {"smtp_tls", "maybe"}};

  auto effective = LoadConfig(Sources(path, environment, flags));

  ASSERT_FALSE(effective.ok());
  const std::string& message = effective.error().message;
  EXPECT_NE(message.find(path + ":1: max_concurrent_runs: must be between 1 and 100000, got 0"), std::string::npos)
      << message;
  EXPECT_NE(message.find(path + ":2: shutdown_grace: 'soon' is not a duration"), std::string::npos) << message;
  EXPECT_NE(message.find("JOBSCHED_LOG_LEVEL: must be one of trace, debug, info, warn, error, got 'loud'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("JOBSCHED_HTTP_THREADS: expected an integer, got 'two'"), std::string::npos) << message;
  EXPECT_NE(message.find("--listen: expected HOST:PORT, got 'nowhere'"), std::string::npos) << message;
  EXPECT_NE(message.find("--smtp-tls: must be one of auto, required, starttls, none, got 'maybe'"), std::string::npos)
      << message;
}

TEST_F(ConfigLoader, RefusesAValueTheFlagOverridesWhenItIsInvalid) {
  const std::string path = WriteFile("log_level = \"verbose\"\n");

  auto effective = LoadConfig(Sources(path, {}, {{"log_level", "info"}}));

  ASSERT_FALSE(effective.ok());
  EXPECT_EQ(effective.error().message,
            path + ":1: log_level: must be one of trace, debug, info, warn, error, got 'verbose'");
}

TEST_F(ConfigLoader, AcceptsAZeroDrainDelayOnly) {
  EXPECT_TRUE(LoadConfig(Sources(std::nullopt, {}, {{"drain_delay", "0s"}})).ok());
  EXPECT_TRUE(LoadConfig(Sources(std::nullopt, {}, {{"drain_delay", "10s"}})).ok());
  EXPECT_FALSE(LoadConfig(Sources(std::nullopt, {}, {{"shutdown_grace", "0s"}})).ok());
}

TEST_F(ConfigLoader, FailsOnAMissingFile) {
  auto effective = LoadConfig(Sources(dir_.File("missing.toml")));

  ASSERT_FALSE(effective.ok());
  EXPECT_EQ(effective.error().message, dir_.File("missing.toml") + ": No such file or directory");
}

TEST_F(ConfigLoader, NeverRepeatsADatabasePasswordInAnError) {
  auto effective = LoadConfig(Sources(std::nullopt, {{"JOBSCHED_DB", "mysql://app:hunter2@db/jobs"}}));

  ASSERT_FALSE(effective.ok());
  EXPECT_EQ(effective.error().message.find("hunter2"), std::string::npos) << effective.error().message;
  EXPECT_NE(effective.error().message.find("JOBSCHED_DB: expected sqlite:PATH"), std::string::npos);
}

}  // namespace
}  // namespace jobsched::app
