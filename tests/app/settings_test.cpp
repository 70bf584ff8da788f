#include "app/settings.hpp"

#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

TEST(Settings, NameFlagsAndEnvironmentVariablesAfterTheKey) {
  EXPECT_EQ(FlagName("max_concurrent_runs"), "--max-concurrent-runs");
  EXPECT_EQ(EnvName("max_concurrent_runs"), "JOBSCHED_MAX_CONCURRENT_RUNS");
}

TEST(Settings, CoverEveryServeSettingOnce) {
  std::set<std::string> keys;
  for (const Setting& setting : Settings()) {
    EXPECT_TRUE(keys.insert(std::string(setting.key)).second) << setting.key;
    EXPECT_NE(setting.apply, nullptr) << setting.key;
    EXPECT_NE(setting.get, nullptr) << setting.key;
  }

  const std::set<std::string> expected{"listen",
                                       "db",
                                       "roles",
                                       "log_level",
                                       "log_format",
                                       "access_log",
                                       "http_threads",
                                       "max_connections",
                                       "max_concurrent_runs",
                                       "shutdown_grace",
                                       "drain_delay",
                                       "lease_timeout",
                                       "keep_runs_days",
                                       "keep_runs_per_job",
                                       "keep_audit_days",
                                       "prune_interval",
                                       "smtp_url",
                                       "smtp_tls",
                                       "smtp_from",
                                       "smtp_username",
                                       "smtp_password",
                                       "default_email_to",
                                       "docs_dir",
                                       "console_dir",
                                       "public_url",
                                       "allow_task_hosts",
                                       "enable_shell_tasks",
                                       "insecure",
                                       "require_auth",
                                       "key_refresh_interval",
                                       "session_idle_timeout",
                                       "public_metrics",
                                       "public_readyz",
                                       "public_docs",
                                       "rate_limit",
                                       "rate_limit_window",
                                       "min_period",
                                       "max_jobs_per_namespace",
                                       "max_runs_per_job_per_minute",
                                       "trusted_proxies"};
  EXPECT_EQ(keys, expected);
}

TEST(Settings, DefaultsPassTheirOwnChecks) {
  const Config defaults;
  for (const Setting& setting : Settings()) {
    Config config;
    EXPECT_TRUE(setting.apply(setting.get(defaults), config).ok()) << setting.key;
  }
}

TEST(Settings, TheSessionIdleTimeoutIsADurationFromAMinuteToThirtyDays) {
  const Setting* setting = FindSetting("session_idle_timeout");
  ASSERT_NE(setting, nullptr);
  Config config;

  EXPECT_EQ(SettingText(config, "session_idle_timeout"), "12h");
  ASSERT_TRUE(setting->apply(std::string("90m"), config).ok());
  EXPECT_EQ(config.session_idle_timeout, std::chrono::minutes{90});
  EXPECT_FALSE(setting->apply(std::string("30s"), config).ok());
  EXPECT_FALSE(setting->apply(std::string("31d"), config).ok());
  EXPECT_FALSE(setting->apply(std::string("soon"), config).ok());
}

TEST(Settings, CredentialsAreSecretAndEnvironmentOnly) {
  for (const std::string_view key : {"smtp_username", "smtp_password"}) {
    const Setting* setting = FindSetting(key);

    ASSERT_NE(setting, nullptr);
    EXPECT_TRUE(setting->env_only);
    EXPECT_TRUE(setting->secret);
  }
}

TEST(Settings, AllowTaskHostsTakesAddressBlocksAndHostNames) {
  const Setting* setting = FindSetting("allow_task_hosts");
  ASSERT_NE(setting, nullptr);
  Config config;

  const auto good = setting->apply(std::string("127.0.0.1, 10.0.0.0/8, hooks.internal, *.corp.example"), config);
  const auto bad = setting->apply(std::string("10.0.0.0/33"), config);

  EXPECT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(config.allow_task_hosts, "127.0.0.1, 10.0.0.0/8, hooks.internal, *.corp.example");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'10.0.0.0/33'"), std::string::npos) << bad.error().message;
}

TEST(Settings, ThePublicUrlIsAnHttpAddressWithAHost) {
  const Setting* setting = FindSetting("public_url");
  ASSERT_NE(setting, nullptr);
  Config config;

  EXPECT_TRUE(setting->apply(std::string("https://jobs.example.com/sched/"), config).ok());
  EXPECT_EQ(config.public_url, "https://jobs.example.com/sched/");
  EXPECT_TRUE(setting->apply(std::string("http://10.0.0.5:8000"), config).ok());
  for (const char* bad : {"jobs.example.com", "ftp://jobs.example.com", "https://", "https:///ui", "https://a/b?c=d"}) {
    const auto refused = setting->apply(std::string(bad), config);
    EXPECT_FALSE(refused.ok()) << bad;
  }
  EXPECT_EQ(config.public_url, "http://10.0.0.5:8000");
}

TEST(Settings, SuggestTheClosestKeyForATypo) {
  EXPECT_EQ(ClosestSettingKey("listn"), "listen");
  EXPECT_EQ(ClosestSettingKey("max-concurrent-runs"), "max_concurrent_runs");
  EXPECT_EQ(ClosestSettingKey("completely_different"), "");
}

}  // namespace
}  // namespace jobsched::app
