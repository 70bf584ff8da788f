#include "app/task_runners.hpp"

#include <string>
#include <type_traits>
#include <utility>

#include <spdlog/spdlog.h>

#include "app/redaction.hpp"
#include "app/settings.hpp"
#include "executor/compute/compute_task_runner.hpp"
#include "executor/email/email_task_runner.hpp"
#include "executor/http/http_task_runner.hpp"
#include "executor/noop/noop_task_runner.hpp"
#include "executor/shell/shell_task_runner.hpp"

namespace jobsched::app {
namespace {

using RunnerResult = core::Result<std::unique_ptr<executor::TaskRunner>>;

// What building a runner may use.
struct RunnerContext {
  const Config& config;
  const core::Clock& clock;
  TaskRunnerSet::Loops& loops;
};

core::Result<executor::CurlLoop*> LoopOf(std::unique_ptr<executor::CurlLoop>& loop) {
  if (!loop) {
    auto created = executor::CurlLoop::Create();
    if (!created) return created.error();
    loop = std::move(created).value();
  }
  return loop.get();
}

// One MakeRunner per task kind, called only for kinds the settings enable.
// Adding a kind to core::Task without adding its MakeRunner here fails to compile.

RunnerResult MakeRunner(std::type_identity<core::NoopTask>, RunnerContext&) {
  return std::unique_ptr<executor::TaskRunner>(std::make_unique<executor::noop::NoopTaskRunner>());
}

RunnerResult MakeRunner(std::type_identity<core::HttpTask>, RunnerContext& context) {
  auto hosts = executor::http::TaskHostPolicy::Parse(context.config.allow_task_hosts);
  if (!hosts) return core::Error::InvalidArgument("allow_task_hosts", "allow_task_hosts: " + hosts.error().message);
  auto loop = LoopOf(context.loops.http);
  if (!loop) return loop.error();
  executor::http::HttpRunnerOptions options;
  options.hosts = std::move(hosts).value();
  options.clock = &context.clock;
  if (!context.config.allow_task_hosts.empty()) {
    spdlog::info("webhooks may also reach: {}", context.config.allow_task_hosts);
  }
  return std::unique_ptr<executor::TaskRunner>(
      std::make_unique<executor::http::HttpTaskRunner>(**loop, std::move(options)));
}

RunnerResult MakeRunner(std::type_identity<core::EmailTask>, RunnerContext& context) {
  const Config& config = context.config;
  executor::email::EmailOptions email;
  email.smtp_url = config.smtp_url;
  switch (config.smtp_tls) {
    case SmtpTlsMode::kNone: email.tls = executor::email::SmtpTls::kNone; break;
    case SmtpTlsMode::kStartTls: email.tls = executor::email::SmtpTls::kStartTlsIfOffered; break;
    case SmtpTlsMode::kRequired: email.tls = executor::email::SmtpTls::kRequired; break;
    case SmtpTlsMode::kAuto: email.tls = executor::email::SmtpTls::kAuto; break;
  }
  email.username = config.smtp_username;
  email.password = config.smtp_password;
  email.default_from = config.smtp_from;
  auto loop = LoopOf(context.loops.email);
  if (!loop) return loop.error();
  auto runner = executor::email::EmailTaskRunner::Create(**loop, email, context.clock);
  if (!runner) return runner.error();
  spdlog::info("email: via {} (smtp_tls {}: {})", RedactSecrets(config.smtp_url), SettingText(config, "smtp_tls"),
               executor::email::Describe(executor::email::EffectiveSmtpTls(email)));
  return std::unique_ptr<executor::TaskRunner>(std::move(runner).value());
}

RunnerResult MakeRunner(std::type_identity<core::ComputeTask>, RunnerContext&) {
  auto runner = executor::compute::ComputeTaskRunner::Create();
  if (!runner) return runner.error();
  return std::unique_ptr<executor::TaskRunner>(std::move(runner).value());
}

RunnerResult MakeRunner(std::type_identity<core::ShellTask>, RunnerContext&) {
  spdlog::warn("shell tasks are enabled: whoever may create jobs can run commands on this host");
  return std::unique_ptr<executor::TaskRunner>(std::make_unique<executor::shell::ShellTaskRunner>());
}

template <std::size_t I>
RunnerResult MakeRunnerOfKind(RunnerContext& context) {
  return MakeRunner(std::type_identity<std::variant_alternative_t<I, core::Task>>{}, context);
}

template <std::size_t... I>
constexpr auto RunnerMakers(std::index_sequence<I...>) {
  return std::array<RunnerResult (*)(RunnerContext&), sizeof...(I)>{&MakeRunnerOfKind<I>...};
}

}  // namespace

core::Result<std::unique_ptr<TaskRunnerSet>> TaskRunnerSet::Build(const Config& config, const core::Clock& clock) {
  std::unique_ptr<TaskRunnerSet> set(new TaskRunnerSet());
  set->enabled_ = core::EnabledTaskKinds::From(!config.smtp_url.empty(), config.enable_shell_tasks);
  RunnerContext context{config, clock, set->loops_};
  static constexpr auto kMakers = RunnerMakers(std::make_index_sequence<core::kTaskKindCount>{});
  for (std::size_t kind = 0; kind < core::kTaskKindCount; ++kind) {
    if (!set->enabled_.Has(kind)) continue;
    auto runner = kMakers[kind](context);
    if (!runner) return runner.error();
    if (!*runner) {
      return core::Error::Internal("no runner was built for the enabled task kind " +
                                   std::string(core::kTaskKinds[kind].name));
    }
    set->table_.Set(kind, runner->get());
    set->runners_.push_back(std::move(runner).value());
  }
  return set;
}

TaskRunnerSet::~TaskRunnerSet() {
  // Runners first (compute ends its tasks as cancelled, shell kills its
  // processes), then the loops, whose destructors cancel the transfers left.
  runners_.clear();
  loops_.email.reset();
  loops_.http.reset();
}

}  // namespace jobsched::app
