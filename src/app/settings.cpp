#include "app/settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <type_traits>
#include <vector>

#include "api/trusted_proxies.hpp"
#include "core/duration.hpp"
#include "core/spelling.hpp"
#include "executor/http/task_host_policy.hpp"

namespace jobsched::app {
namespace {

using core::Result;

core::Error Invalid(std::string message) { return core::Error::InvalidArgument("", std::move(message)); }

// Every value reaching a check has the setting's type: the loader converts
// text and refuses a TOML value of another type before calling apply.
const std::string& Text(const SettingValue& value) { return std::get<std::string>(value); }

Result<void> AnyText(const std::string&) { return core::Ok(); }

Result<void> CheckListen(const std::string& text) {
  auto address = ParseListenAddress(text);
  if (!address) return Invalid(address.error().message);
  return core::Ok();
}

Result<void> CheckDatabase(const std::string& text) {
  auto url = ParseDatabaseUrl(text);
  if (!url) return Invalid(url.error().message);
  return core::Ok();
}

template <std::size_t N>
Result<void> CheckOneOf(const std::string& text, const std::array<std::string_view, N>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return core::Ok();
  std::string list;
  for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
  return Invalid("must be one of " + list + ", got '" + text + "'");
}

Result<void> CheckLogLevel(const std::string& text) {
  return CheckOneOf<5>(text, {"trace", "debug", "info", "warn", "error"});
}

Result<void> CheckLogFormat(const std::string& text) { return CheckOneOf<2>(text, {"json", "text"}); }

Result<void> CheckOnOff(const std::string& text) { return CheckOneOf<2>(text, {"on", "off"}); }

Result<void> CheckSmtpTls(const std::string& text) {
  return CheckOneOf<4>(text, {"auto", "required", "starttls", "none"});
}

Result<void> CheckDuration(const std::string& text) {
  // ParseDuration starts its message with the field name; ours has none.
  constexpr std::string_view kField = "value";
  auto parsed = core::ParseDuration(text, kField);
  if (parsed) return core::Ok();
  std::string message = parsed.error().message;
  if (message.rfind(std::string(kField) + ": ", 0) == 0) message.erase(0, kField.size() + 2);
  return Invalid(message);
}

// The drain delay may be zero (a single node has no load balancer to wait for).
Result<void> CheckDurationOrZero(const std::string& text) {
  if (text == "0" || text == "0s") return core::Ok();
  return CheckDuration(text);
}

// At least a second (the headers count in seconds), at most a day.
Result<void> CheckRateLimitWindow(const std::string& text) {
  if (auto valid = CheckDuration(text); !valid) return valid;
  const auto window = core::ParseDuration(text, "value");
  if (*window < std::chrono::seconds{1} || *window > std::chrono::hours{24}) {
    return Invalid("must be from 1s to 24h, got '" + text + "'");
  }
  return core::Ok();
}

Result<void> CheckSmtpUrl(const std::string& text) {
  if (text.empty() || text.rfind("smtp://", 0) == 0 || text.rfind("smtps://", 0) == 0) return core::Ok();
  return Invalid("must start with smtp:// or smtps://, or be empty");
}

Result<void> CheckTaskHosts(const std::string& text) {
  auto policy = executor::http::TaskHostPolicy::Parse(text);
  if (!policy) return Invalid(policy.error().message);
  return core::Ok();
}

Result<void> CheckTrustedProxies(const std::string& text) {
  auto proxies = api::TrustedProxies::Parse(text);
  if (!proxies) return Invalid(proxies.error().message);
  return core::Ok();
}

template <std::string Config::*Field, Result<void> (*Check)(const std::string&) = AnyText>
Result<void> ApplyText(const SettingValue& value, Config& config) {
  if (auto checked = Check(Text(value)); !checked) return checked.error();
  config.*Field = Text(value);
  return core::Ok();
}

template <std::string Config::*Field>
SettingValue GetText(const Config& config) {
  return config.*Field;
}

template <auto Field, std::int64_t kMin, std::int64_t kMax>
Result<void> ApplyInteger(const SettingValue& value, Config& config) {
  const std::int64_t number = std::get<std::int64_t>(value);
  if (number < kMin || number > kMax) {
    return Invalid("must be between " + std::to_string(kMin) + " and " + std::to_string(kMax) + ", got " +
                   std::to_string(number));
  }
  using Target = std::remove_reference_t<decltype(config.*Field)>;
  config.*Field = static_cast<Target>(number);
  return core::Ok();
}

template <auto Field>
SettingValue GetInteger(const Config& config) {
  return static_cast<std::int64_t>(config.*Field);
}

template <bool Config::*Field>
Result<void> ApplyBoolean(const SettingValue& value, Config& config) {
  config.*Field = std::get<bool>(value);
  return core::Ok();
}

template <bool Config::*Field>
SettingValue GetBoolean(const Config& config) {
  return config.*Field;
}

constexpr SettingType kText = SettingType::kString;
constexpr SettingType kInteger = SettingType::kInteger;
constexpr SettingType kBoolean = SettingType::kBoolean;

Result<void> CheckRoles(const std::string& text) {
  if (auto roles = ParseRoles(text); !roles) return Invalid(roles.error().message);
  return core::Ok();
}

// The minimum period: a duration from 1ms to 1h (0 or 0s turns it off).
Result<void> CheckMinPeriod(const std::string& text) {
  if (text == "0" || text == "0s") return core::Ok();
  if (auto valid = CheckDuration(text); !valid) return valid;
  if (*core::ParseDuration(text, "value") > std::chrono::hours{1}) {
    return Invalid("must be at most 1h, got '" + text + "'");
  }
  return core::Ok();
}

const std::array<Setting, 35> kSettings{{
    {"listen", "HOST:PORT to serve HTTP on; port 0 picks a free one", kText, false, false,
     ApplyText<&Config::listen, CheckListen>, GetText<&Config::listen>},
    {"db", "Database URL: sqlite:PATH or postgresql://USER@HOST[:PORT]/DATABASE", kText, false, false,
     ApplyText<&Config::db, CheckDatabase>, GetText<&Config::db>},
    {"roles", "What this node does: api, scheduler, executor (comma-separated)", kText, false, false,
     ApplyText<&Config::roles, CheckRoles>, GetText<&Config::roles>},
    {"log_level", "trace, debug, info, warn or error", kText, false, false,
     ApplyText<&Config::log_level, CheckLogLevel>, GetText<&Config::log_level>},
    {"log_format", "json (one object per line) or text (for a terminal)", kText, false, false,
     ApplyText<&Config::log_format, CheckLogFormat>, GetText<&Config::log_format>},
    {"access_log", "on: a log line per request; off: only 5xx answers", kText, false, false,
     ApplyText<&Config::access_log, CheckOnOff>, GetText<&Config::access_log>},
    {"http_threads", "HTTP event loops; 0 = one per core", kInteger, false, false,
     ApplyInteger<&Config::http_threads, 0, 1024>, GetInteger<&Config::http_threads>},
    {"max_concurrent_runs", "Runs executing at once", kInteger, false, false,
     ApplyInteger<&Config::max_concurrent_runs, 1, 100000>, GetInteger<&Config::max_concurrent_runs>},
    {"shutdown_grace", "On SIGTERM, time for runs in flight to finish", kText, false, false,
     ApplyText<&Config::shutdown_grace, CheckDuration>, GetText<&Config::shutdown_grace>},
    {"drain_delay", "On SIGTERM, serve this long with /readyz 503 first", kText, false, false,
     ApplyText<&Config::drain_delay, CheckDurationOrZero>, GetText<&Config::drain_delay>},
    {"lease_timeout", "Re-queue a run whose node is silent this long", kText, false, false,
     ApplyText<&Config::lease_timeout, CheckDuration>, GetText<&Config::lease_timeout>},
    {"keep_runs_days", "Delete finished runs older than this many days; 0 keeps them", kInteger, false, false,
     ApplyInteger<&Config::keep_runs_days, 0, 36500>, GetInteger<&Config::keep_runs_days>},
    {"keep_runs_per_job", "Keep at most this many finished runs per job; 0 for no limit", kInteger, false, false,
     ApplyInteger<&Config::keep_runs_per_job, 0, 10000000>, GetInteger<&Config::keep_runs_per_job>},
    {"prune_interval", "How often finished runs past the keep_runs limits are deleted", kText, false, false,
     ApplyText<&Config::prune_interval, CheckDuration>, GetText<&Config::prune_interval>},
    {"smtp_url", "SMTP server for email tasks: smtp://host:port or smtps://", kText, false, false,
     ApplyText<&Config::smtp_url, CheckSmtpUrl>, GetText<&Config::smtp_url>},
    {"smtp_tls", "auto (TLS required with credentials or beyond loopback), required, starttls or none", kText, false,
     false, ApplyText<&Config::smtp_tls, CheckSmtpTls>, GetText<&Config::smtp_tls>},
    {"smtp_from", "Sender of emails whose task names none", kText, false, false, ApplyText<&Config::smtp_from>,
     GetText<&Config::smtp_from>},
    {"smtp_username", "SMTP user name (environment only)", kText, true, true, ApplyText<&Config::smtp_username>,
     GetText<&Config::smtp_username>},
    {"smtp_password", "SMTP password (environment only)", kText, true, true, ApplyText<&Config::smtp_password>,
     GetText<&Config::smtp_password>},
    {"default_email_to", "Recipient of 'Send Email Notification' jobs without a task", kText, false, false,
     ApplyText<&Config::default_email_to>, GetText<&Config::default_email_to>},
    {"allow_task_hosts", "Webhook targets allowed beyond public addresses: CIDRs, addresses, host names (a,b)", kText,
     false, false, ApplyText<&Config::allow_task_hosts, CheckTaskHosts>, GetText<&Config::allow_task_hosts>},
    {"enable_shell_tasks", "Accept shell tasks (commands run on this host as the service's user)", kBoolean, false,
     false, ApplyBoolean<&Config::enable_shell_tasks>, GetBoolean<&Config::enable_shell_tasks>},
    {"docs_dir", "Swagger UI assets (default: next to the binary)", kText, false, false, ApplyText<&Config::docs_dir>,
     GetText<&Config::docs_dir>},
    {"insecure", "Serve without API keys even beyond loopback (no authentication at all)", kBoolean, false, false,
     ApplyBoolean<&Config::insecure>, GetBoolean<&Config::insecure>},
    {"require_auth", "Require API keys even on loopback and before any key exists (nodes behind a proxy)", kBoolean,
     false, false, ApplyBoolean<&Config::require_auth>, GetBoolean<&Config::require_auth>},
    {"key_refresh_interval", "How often API keys are re-read: the longest a revoke takes to count", kText, false, false,
     ApplyText<&Config::key_refresh_interval, CheckDuration>, GetText<&Config::key_refresh_interval>},
    {"public_metrics", "/metrics needs no API key (default false)", kBoolean, false, false,
     ApplyBoolean<&Config::public_metrics>, GetBoolean<&Config::public_metrics>},
    {"public_readyz", "/readyz needs no API key (default true; =false to require one)", kBoolean, false, false,
     ApplyBoolean<&Config::public_readyz>, GetBoolean<&Config::public_readyz>},
    {"public_docs", "/docs and /openapi.* need no API key (default true; =false to require one)", kBoolean, false,
     false, ApplyBoolean<&Config::public_docs>, GetBoolean<&Config::public_docs>},
    {"rate_limit", "Requests per window per API key (or client address); 0 = no limit", kInteger, false, false,
     ApplyInteger<&Config::rate_limit, 0, 1000000>, GetInteger<&Config::rate_limit>},
    {"rate_limit_window", "The window of rate_limit (1s-24h); the bucket refills over it", kText, false, false,
     ApplyText<&Config::rate_limit_window, CheckRateLimitWindow>, GetText<&Config::rate_limit_window>},
    {"min_period", "Least time between two runs of a job (every, cron, jitter, retries); 0s: no minimum", kText, false,
     false, ApplyText<&Config::min_period, CheckMinPeriod>, GetText<&Config::min_period>},
    {"max_jobs_per_namespace", "Jobs one namespace may hold; 0 = no limit", kInteger, false, false,
     ApplyInteger<&Config::max_jobs_per_namespace, 0, 100000000>, GetInteger<&Config::max_jobs_per_namespace>},
    {"max_runs_per_job_per_minute", "Runs one job may have created in any minute; 0 = no limit", kInteger, false, false,
     ApplyInteger<&Config::max_runs_per_job_per_minute, 0, 1000000>, GetInteger<&Config::max_runs_per_job_per_minute>},
    {"trusted_proxies", "Load balancers whose X-Forwarded-For names anonymous clients: addresses, CIDRs (a,b)", kText,
     false, false, ApplyText<&Config::trusted_proxies, CheckTrustedProxies>, GetText<&Config::trusted_proxies>},
}};

}  // namespace

std::span<const Setting> Settings() { return kSettings; }

const Setting* FindSetting(std::string_view key) {
  for (const Setting& setting : kSettings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

std::string_view ClosestSettingKey(std::string_view key) {
  // A flag spelling (max-concurrent-runs) is the likeliest slip of all.
  std::string underscored(key);
  std::replace(underscored.begin(), underscored.end(), '-', '_');
  const std::string_view closest =
      core::ClosestSpelling(underscored, kSettings, [](const Setting& setting) { return setting.key; });
  return closest;
}

std::string FlagName(std::string_view key) {
  std::string flag = "--" + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string EnvName(std::string_view key) {
  std::string name = "JOBSCHED_" + std::string(key);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace jobsched::app
