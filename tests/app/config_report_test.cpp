#include "app/config_report.hpp"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

// The line of `report` that sets or mentions `key`.
std::string LineOf(const std::string& report, const std::string& key) {
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + " ", 0) == 0 || line.rfind("# " + key + " ", 0) == 0) return line;
  }
  return "";
}

EffectiveConfig Loaded(std::map<std::string, std::string> environment, std::map<std::string, std::string> flags = {}) {
  ConfigSources sources;
  sources.flags = std::move(flags);
  sources.environment = [environment = std::move(environment)](const std::string& name) -> std::optional<std::string> {
    const auto found = environment.find(name);
    if (found == environment.end()) return std::nullopt;
    return found->second;
  };
  auto effective = LoadConfig(sources);
  EXPECT_TRUE(effective.ok()) << effective.error().message;
  return effective.ok() ? std::move(effective).value() : EffectiveConfig{};
}

TEST(FormatEffectiveConfig, PrintsEverySettingWithItsOrigin) {
  const EffectiveConfig effective = Loaded({{"JOBSCHED_LOG_LEVEL", "warn"}}, {{"http_threads", "3"}});

  const std::string report = FormatEffectiveConfig(effective);

  EXPECT_NE(LineOf(report, "log_level").find("log_level = \"warn\""), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "log_level").find("# environment JOBSCHED_LOG_LEVEL"), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "http_threads").find("http_threads = 3"), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "http_threads").find("# flag --http-threads"), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "listen").find("# default"), std::string::npos) << report;
  EXPECT_NE(report.find("configuration file: none"), std::string::npos) << report;
}

TEST(FormatEffectiveConfig, PrintsBooleansAsTomlBooleans) {
  const EffectiveConfig effective = Loaded({{"JOBSCHED_ENABLE_SHELL_TASKS", "true"}});

  const std::string report = FormatEffectiveConfig(effective);

  EXPECT_EQ(LineOf(report, "enable_shell_tasks").rfind("enable_shell_tasks = true ", 0), 0U) << report;
}

TEST(FormatEffectiveConfig, RedactsCredentialsAndUrlPasswords) {
  const EffectiveConfig effective = Loaded({{"JOBSCHED_SMTP_USERNAME", "mailer"},
                                            {"JOBSCHED_SMTP_PASSWORD", "hunter2"},
                                            {"JOBSCHED_SMTP_URL", "smtp://relay:t0ps3cret@mail:587"}});

  const std::string report = FormatEffectiveConfig(effective);

  EXPECT_EQ(report.find("hunter2"), std::string::npos) << report;
  EXPECT_EQ(report.find("t0ps3cret"), std::string::npos) << report;
  EXPECT_EQ(report.find("mailer"), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "smtp_url").find("\"smtp://relay:REDACTED@mail:587\""), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "smtp_password").find("# smtp_password = \"REDACTED\""), std::string::npos) << report;
  EXPECT_NE(LineOf(report, "smtp_password").find("environment JOBSCHED_SMTP_PASSWORD"), std::string::npos) << report;
}

TEST(FormatEffectiveConfig, SaysWhichCredentialsAreUnset) {
  const std::string report = FormatEffectiveConfig(Loaded({}));

  EXPECT_EQ(LineOf(report, "smtp_password"), "# smtp_password is not set (only JOBSCHED_SMTP_PASSWORD sets it)");
}

TEST(FormatEffectiveConfig, QuotesStringsAsToml) {
  const EffectiveConfig effective = Loaded({{"JOBSCHED_SMTP_FROM", "a \"b\" \\ c"}});

  const std::string report = FormatEffectiveConfig(effective);

  EXPECT_NE(LineOf(report, "smtp_from").find(R"(smtp_from = "a \"b\" \\ c")"), std::string::npos) << report;
}

// The settings GET /about shows: the same redaction as `config check`.
SettingValue ValueOf(const std::vector<std::pair<std::string, SettingValue>>& settings, const std::string& key) {
  for (const auto& [name, value] : settings) {
    if (name == key) return value;
  }
  ADD_FAILURE() << key << " is not listed";
  return std::string();
}

TEST(RedactedSettings, ListsEverySettingTypedWithSecretsRedacted) {
  const EffectiveConfig effective = Loaded({{"JOBSCHED_SMTP_PASSWORD", "hunter2"},
                                            {"JOBSCHED_SMTP_URL", "smtp://relay:t0ps3cret@mail:587"},
                                            {"JOBSCHED_HTTP_THREADS", "3"},
                                            {"JOBSCHED_ENABLE_SHELL_TASKS", "true"}});

  const auto settings = RedactedSettings(effective.config);

  EXPECT_EQ(settings.size(), Settings().size());
  EXPECT_EQ(settings.front().first, Settings().front().key);
  EXPECT_EQ(ValueOf(settings, "smtp_password"), SettingValue(std::string("REDACTED")));
  EXPECT_EQ(ValueOf(settings, "smtp_url"), SettingValue(std::string("smtp://relay:REDACTED@mail:587")));
  EXPECT_EQ(ValueOf(settings, "http_threads"), SettingValue(std::int64_t{3}));
  EXPECT_EQ(ValueOf(settings, "enable_shell_tasks"), SettingValue(true));
  EXPECT_EQ(ValueOf(settings, "session_idle_timeout"), SettingValue(std::string("12h")));
}

TEST(RedactedSettings, AnUnsetSecretShowsEmpty) {
  const auto settings = RedactedSettings(Loaded({}).config);

  EXPECT_EQ(ValueOf(settings, "smtp_password"), SettingValue(std::string()));
}

}  // namespace
}  // namespace jobsched::app
