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

Result<void> CheckSmtpUrl(const std::string& text) {
  if (text.empty() || text.rfind("smtp://", 0) == 0 || text.rfind("smtps://", 0) == 0) return core::Ok();
  return Invalid("must start with smtp:// or smtps://, or be empty");
}

Result<void> CheckPublicUrl(const std::string& text) {
  if (text.empty()) return core::Ok();
  const std::size_t scheme = text.rfind("https://", 0) == 0 ? 8 : text.rfind("http://", 0) == 0 ? 7 : 0;
  if (scheme == 0 || text.size() == scheme || text[scheme] == '/') {
    return Invalid("must be an http:// or https:// address with a host, e.g. https://jobsched.example.com");
  }
  if (text.find_first_of("?# ") != std::string::npos) return Invalid("must have no query, fragment or spaces");
  return core::Ok();
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

// Text settings kept as text, after `Check`.
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

// Settings parsed into a type of their own: `Parse` reads the text (failing
// with a message that names no source), `Format` writes it back for
// `config check` and --help.
template <auto Field, auto Parse, auto Format>
Result<void> ApplyParsed(const SettingValue& value, Config& config) {
  auto parsed = Parse(Text(value));
  if (!parsed) return Invalid(parsed.error().message);
  config.*Field = std::move(parsed).value();
  return core::Ok();
}

template <auto Field, auto Parse, auto Format>
SettingValue GetParsed(const Config& config) {
  return std::string(Format(config.*Field));
}

// A duration ("30s", "1h30m"), parsed once into std::chrono::milliseconds.
template <std::int64_t kMinMs, std::int64_t kMaxMs>
Result<std::chrono::milliseconds> ParseDurationSetting(const std::string& text) {
  if (kMinMs == 0 && (text == "0" || text == "0s")) return std::chrono::milliseconds{0};
  // ParseDuration starts its message with the field name; ours has none.
  constexpr std::string_view kField = "value";
  auto parsed = core::ParseDuration(text, kField);
  if (!parsed) {
    std::string message = parsed.error().message;
    if (message.rfind(std::string(kField) + ": ", 0) == 0) message.erase(0, kField.size() + 2);
    return Invalid(message);
  }
  if (parsed->count() < kMinMs || parsed->count() > kMaxMs) {
    return Invalid("must be from " + core::FormatDuration(core::Milliseconds{kMinMs}) + " to " +
                   core::FormatDuration(core::Milliseconds{kMaxMs}) + ", got '" + text + "'");
  }
  return std::chrono::milliseconds{parsed->count()};
}

std::string FormatDurationSetting(std::chrono::milliseconds duration) {
  return core::FormatDuration(core::Milliseconds{duration.count()});
}

constexpr std::int64_t kTenYearsMs = 10LL * 366 * 24 * 3600 * 1000;
constexpr std::int64_t kThirtyDaysMs = 30LL * 24 * 3600 * 1000;

template <auto Field, std::int64_t kMinMs = 1, std::int64_t kMaxMs = kTenYearsMs>
constexpr auto kApplyDuration = ApplyParsed<Field, ParseDurationSetting<kMinMs, kMaxMs>, FormatDurationSetting>;
template <auto Field, std::int64_t kMinMs = 1, std::int64_t kMaxMs = kTenYearsMs>
constexpr auto kGetDuration = GetParsed<Field, ParseDurationSetting<kMinMs, kMaxMs>, FormatDurationSetting>;

// An enum setting: the names of its values, in the enum's order.
template <typename Enum, std::size_t N>
struct EnumNames {
  std::array<std::pair<Enum, std::string_view>, N> names;

  Result<Enum> Parse(const std::string& text) const {
    for (const auto& [value, name] : names) {
      if (name == text) return value;
    }
    std::string list;
    for (const auto& [value, name] : names) list += (list.empty() ? "" : ", ") + std::string(name);
    return Invalid("must be one of " + list + ", got '" + text + "'");
  }
  std::string_view Format(Enum value) const {
    for (const auto& [each, name] : names) {
      if (each == value) return name;
    }
    return names.front().second;
  }
};

constexpr EnumNames<LogLevel, 5> kLogLevels{{{{LogLevel::kTrace, "trace"},
                                              {LogLevel::kDebug, "debug"},
                                              {LogLevel::kInfo, "info"},
                                              {LogLevel::kWarn, "warn"},
                                              {LogLevel::kError, "error"}}}};
constexpr EnumNames<LogFormat, 3> kLogFormats{
    {{{LogFormat::kJson, "json"}, {LogFormat::kText, "text"}, {LogFormat::kAuto, "auto"}}}};
constexpr EnumNames<bool, 2> kOnOff{{{{true, "on"}, {false, "off"}}}};
constexpr EnumNames<SmtpTlsMode, 4> kSmtpTlsModes{{{{SmtpTlsMode::kAuto, "auto"},
                                                    {SmtpTlsMode::kRequired, "required"},
                                                    {SmtpTlsMode::kStartTls, "starttls"},
                                                    {SmtpTlsMode::kNone, "none"}}}};

template <auto Field, const auto& kNames>
Result<void> ApplyEnum(const SettingValue& value, Config& config) {
  auto parsed = kNames.Parse(Text(value));
  if (!parsed) return parsed.error();
  config.*Field = *parsed;
  return core::Ok();
}

template <auto Field, const auto& kNames>
SettingValue GetEnum(const Config& config) {
  return std::string(kNames.Format(config.*Field));
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

Result<ListenAddress> ParseListen(const std::string& text) { return ParseListenAddress(text); }
Result<DatabaseUrl> ParseDatabase(const std::string& text) { return ParseDatabaseUrl(text); }
Result<Roles> ParseRolesSetting(const std::string& text) { return ParseRoles(text); }

const std::array<Setting, 40> kSettings{{
    {"listen", "HOST:PORT to serve HTTP on; port 0 picks a free one", kText, false, false,
     ApplyParsed<&Config::listen, ParseListen, FormatListenAddress>,
     GetParsed<&Config::listen, ParseListen, FormatListenAddress>},
    {"db", "Database URL: sqlite:PATH or postgresql://USER@HOST[:PORT]/DATABASE", kText, false, false,
     ApplyParsed<&Config::db, ParseDatabase, FormatDatabaseUrl>,
     GetParsed<&Config::db, ParseDatabase, FormatDatabaseUrl>},
    {"roles", "What this node does: api, scheduler, executor (comma-separated)", kText, false, false,
     ApplyParsed<&Config::roles, ParseRolesSetting, FormatRoles>,
     GetParsed<&Config::roles, ParseRolesSetting, FormatRoles>},
    {"log_level", "trace, debug, info, warn or error", kText, false, false, ApplyEnum<&Config::log_level, kLogLevels>,
     GetEnum<&Config::log_level, kLogLevels>},
    {"log_format", "json (one object per line), text, or auto: text on a terminal, else json", kText, false, false,
     ApplyEnum<&Config::log_format, kLogFormats>, GetEnum<&Config::log_format, kLogFormats>},
    {"access_log", "on: a log line per request; off: only 5xx answers", kText, false, false,
     ApplyEnum<&Config::access_log, kOnOff>, GetEnum<&Config::access_log, kOnOff>},
    {"http_threads", "HTTP event loops; 0 = one per core", kInteger, false, false,
     ApplyInteger<&Config::http_threads, 0, 1024>, GetInteger<&Config::http_threads>},
    {"max_connections", "Open HTTP connections at once; one more is answered 503", kInteger, false, false,
     ApplyInteger<&Config::max_connections, 1, 1000000>, GetInteger<&Config::max_connections>},
    {"max_concurrent_runs", "Runs executing at once", kInteger, false, false,
     ApplyInteger<&Config::max_concurrent_runs, 1, 100000>, GetInteger<&Config::max_concurrent_runs>},
    {"shutdown_grace", "On SIGTERM, time for runs in flight to finish", kText, false, false,
     kApplyDuration<&Config::shutdown_grace>, kGetDuration<&Config::shutdown_grace>},
    {"drain_delay", "On SIGTERM, serve this long with /readyz 503 first", kText, false, false,
     kApplyDuration<&Config::drain_delay, 0>, kGetDuration<&Config::drain_delay, 0>},
    {"lease_timeout", "Re-queue a run whose node is silent this long", kText, false, false,
     kApplyDuration<&Config::lease_timeout>, kGetDuration<&Config::lease_timeout>},
    {"keep_runs_days", "Delete finished runs older than this many days; 0 keeps them", kInteger, false, false,
     ApplyInteger<&Config::keep_runs_days, 0, 36500>, GetInteger<&Config::keep_runs_days>},
    {"keep_runs_per_job", "Keep at most this many finished runs per job; 0 for no limit", kInteger, false, false,
     ApplyInteger<&Config::keep_runs_per_job, 0, 10000000>, GetInteger<&Config::keep_runs_per_job>},
    {"keep_audit_days", "Delete audit log entries older than this many days; 0 keeps them", kInteger, false, false,
     ApplyInteger<&Config::keep_audit_days, 0, 36500>, GetInteger<&Config::keep_audit_days>},
    {"prune_interval", "How often finished runs past the keep_runs limits are deleted", kText, false, false,
     kApplyDuration<&Config::prune_interval>, kGetDuration<&Config::prune_interval>},
    {"smtp_url", "SMTP server for email tasks: smtp://host:port or smtps://", kText, false, false,
     ApplyText<&Config::smtp_url, CheckSmtpUrl>, GetText<&Config::smtp_url>},
    {"smtp_tls", "auto (TLS required with credentials or beyond loopback), required, starttls or none", kText, false,
     false, ApplyEnum<&Config::smtp_tls, kSmtpTlsModes>, GetEnum<&Config::smtp_tls, kSmtpTlsModes>},
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
    {"console_dir", "Serve the console's own files from this folder, re-read on every request (development)", kText,
     false, false, ApplyText<&Config::console_dir>, GetText<&Config::console_dir>},
    {"public_url", "Where people reach this service (https://host[/path]): alerts link to its console there", kText,
     false, false, ApplyText<&Config::public_url, CheckPublicUrl>, GetText<&Config::public_url>},
    {"insecure", "Serve without API keys even beyond loopback (no authentication at all)", kBoolean, false, false,
     ApplyBoolean<&Config::insecure>, GetBoolean<&Config::insecure>},
    {"require_auth", "Require API keys even on loopback and before any key exists (nodes behind a proxy)", kBoolean,
     false, false, ApplyBoolean<&Config::require_auth>, GetBoolean<&Config::require_auth>},
    {"key_refresh_interval", "How often API keys are re-read: the longest a revoke takes to count", kText, false, false,
     kApplyDuration<&Config::key_refresh_interval>, kGetDuration<&Config::key_refresh_interval>},
    {"session_idle_timeout", "A console session unused this long ends (1m-30d)", kText, false, false,
     kApplyDuration<&Config::session_idle_timeout, 60 * 1000, kThirtyDaysMs>,
     kGetDuration<&Config::session_idle_timeout, 60 * 1000, kThirtyDaysMs>},
    {"public_metrics", "/metrics needs no API key (default false)", kBoolean, false, false,
     ApplyBoolean<&Config::public_metrics>, GetBoolean<&Config::public_metrics>},
    {"public_readyz", "/readyz needs no API key (default true; =false to require one)", kBoolean, false, false,
     ApplyBoolean<&Config::public_readyz>, GetBoolean<&Config::public_readyz>},
    {"public_docs", "/docs and /openapi.* need no API key (default true; =false to require one)", kBoolean, false,
     false, ApplyBoolean<&Config::public_docs>, GetBoolean<&Config::public_docs>},
    {"rate_limit", "Requests per window per API key (or client address); 0 = no limit", kInteger, false, false,
     ApplyInteger<&Config::rate_limit, 0, 1000000>, GetInteger<&Config::rate_limit>},
    {"rate_limit_window", "The window of rate_limit (1s-24h); the bucket refills over it", kText, false, false,
     kApplyDuration<&Config::rate_limit_window, 1000, 24 * 3600 * 1000>,
     kGetDuration<&Config::rate_limit_window, 1000, 24 * 3600 * 1000>},
    {"min_period", "Least time between two runs of a job (every, cron, jitter, retries); 0s: no minimum", kText, false,
     false, kApplyDuration<&Config::min_period, 0, 3600 * 1000>, kGetDuration<&Config::min_period, 0, 3600 * 1000>},
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

std::string SettingText(const Config& config, std::string_view key) {
  const Setting* setting = FindSetting(key);
  if (setting == nullptr) return "";
  const SettingValue value = setting->get(config);
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return std::get<std::string>(value);
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
