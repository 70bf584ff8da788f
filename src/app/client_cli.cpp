#include "app/client_cli.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "app/completion.hpp"
#include "app/system_clock.hpp"
#include "client/exit_code.hpp"
#include "client/job_editor.hpp"
#include "client/profile_file.hpp"
#include "client/substitution.hpp"
#include "core/duration.hpp"

namespace jobsched::app {
namespace {

using client::ClientContext;

std::optional<std::string> Given(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

bool ColorWanted() {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || no_color[0] == '\0');
}

std::string Editor(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* variable : {"VISUAL", "EDITOR"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return "vi";
}

// The context every client command runs with, from the flags, the
// environment and the client configuration file.
core::Result<ClientContext> MakeContext(const ClientLine& line) {
  const client::VariableLookup environment = client::EnvironmentLookup();
  auto file = client::ReadProfileFile(client::ProfileFilePath(environment));
  if (!file) return file.error();
  const client::ConnectionFlags flags{Given(line.server), Given(line.token), Given(line.cacert),
                                      Given(line.namespace_name), Given(line.profile)};
  auto settings = client::ResolveConnection(flags, environment, *file ? &**file : nullptr);
  if (!settings) return settings.error();
  auto format = client::ParseOutputFormat(line.output.empty() ? "table" : line.output);
  if (!format) return format.error();
  ClientContext context{client::ApiClient(std::move(settings).value(), line.print_curl), *format,
                        client::TableStyle{ColorWanted(), SystemClock().Now()}, line.dry_run};
  return context;
}

core::Result<std::chrono::milliseconds> Timeout(const std::string& text) {
  auto timeout = core::ParseDuration(text, "--timeout");
  if (!timeout) return timeout.error();
  return std::chrono::milliseconds{timeout->count()};
}

// A job command that takes the job as its argument.
int WithTimeout(const ClientContext& context, const std::string& text,
                const std::function<int(std::chrono::milliseconds)>& action) {
  auto timeout = Timeout(text);
  if (!timeout) return context.Fail(timeout.error());
  return action(*timeout);
}

}  // namespace

CLI::App* ClientCommands::Add(CLI::App& parent, const std::string& name, const std::string& help, bool change,
                              Action action) {
  CLI::App* command = parent.add_subcommand(name, help);
  command->add_option("--server", line_.server, "Service URL [env: JOBSCHED_SERVER] (default http://127.0.0.1:8000)");
  command->add_option("--token", line_.token, "API key [env: JOBSCHED_TOKEN]; never printed");
  command->add_option("--profile", line_.profile, "Profile of the client configuration file [env: JOBSCHED_PROFILE]");
  command->add_option("--cacert", line_.cacert, "PEM file of the CAs to trust for HTTPS [env: JOBSCHED_CACERT]");
  command->add_option("--namespace", line_.namespace_name, "Namespace for names and files [env: JOBSCHED_NAMESPACE]");
  command->add_option("-o,--output", line_.output, "table (default), json, jsonl, yaml or name");
  if (change) {
    command->add_flag("--dry-run", line_.dry_run, "Have the service check the change and say what it would do");
    command->add_flag("--print-curl", line_.print_curl,
                      "Print the equivalent curl command instead of making the change");
  }
  actions_.emplace_back(command, std::move(action));
  return command;
}

ClientCommands::ClientCommands(CLI::App& cli) {
  AddJobCommands(cli);
  AddRunCommands(cli);
  AddApplyCommands(cli);
  completion_ = cli.add_subcommand("completion", "Print a shell completion script: bash, zsh or fish");
  completion_->add_option("shell", line_.shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
}

void ClientCommands::AddJobCommands(CLI::App& cli) {
  CLI::App* job = cli.add_subcommand("job", "List, show, create, edit, delete, pause, resume, run and backfill jobs");
  job->require_subcommand(1);
  CLI::App* list = Add(*job, "list", "List jobs", false, [this](const ClientContext& context) {
    if (!line_.active.empty()) line_.job_list.active = line_.active == "true";
    return client::ListJobs(context, line_.job_list);
  });
  list->add_option("--name", line_.job_list.name, "Only jobs whose name starts with this");
  list->add_option("--type", line_.job_list.type, "Only jobs whose task is of this type (http, email, ...)");
  list->add_option("-l,--label", line_.job_list.label,
                   "Only jobs whose labels match this selector, e.g. 'team=payments,tier!=batch'");
  list->add_option("--active", line_.active, "true: only active jobs; false: only paused ones")
      ->check(CLI::IsMember({"true", "false"}));
  list->add_flag("--all", line_.job_list.all, "Every page, not only the first --limit jobs");
  list->add_option("--limit", line_.job_list.limit, "Jobs per page (1-1000)")->default_val(100);
  auto with_ref = [this](CLI::App* command) {
    command->add_option("job", line_.ref, "The job: its id, name or namespace/name")->required();
  };
  with_ref(Add(*job, "get", "Show a job", false,
               [this](const ClientContext& context) { return client::GetJob(context, line_.ref); }));
  AddJobCreate(*job);
  CLI::App* edit =
      Add(*job, "edit", "Edit a job as YAML in $VISUAL / $EDITOR", true,
          [this](const ClientContext& context) { return client::EditJob(context, line_.ref, Editor(line_.editor)); });
  with_ref(edit);
  edit->add_option("--editor", line_.editor, "The editor command (default: $VISUAL, $EDITOR, vi)");
  with_ref(Add(*job, "delete", "Delete a job and its runs", true,
               [this](const ClientContext& context) { return client::DeleteJob(context, line_.ref); }));
  CLI::App* pause = Add(*job, "pause", "Pause a job", true, [this](const ClientContext& context) {
    return client::PauseJob(context, line_.ref, Given(line_.pause_reason), Given(line_.pause_until));
  });
  with_ref(pause);
  pause->add_option("--reason", line_.pause_reason, "Why (shown with the job while it is paused)");
  pause->add_option("--until", line_.pause_until,
                    "Resume by itself then: an RFC 3339 instant or a duration from now (2h, 1d)");
  with_ref(Add(*job, "resume", "Resume a job", true,
               [this](const ClientContext& context) { return client::SetJobActive(context, line_.ref, true); }));
  CLI::App* trigger = Add(*job, "trigger", "Run a job now", true, [this](const ClientContext& context) {
    return WithTimeout(context, line_.timeout, [&](std::chrono::milliseconds timeout) {
      return client::TriggerJob(context, line_.ref, line_.wait, timeout);
    });
  });
  with_ref(trigger);
  trigger->add_flag("--wait", line_.wait, "Wait for the run to end; exit 0 only if it succeeded");
  trigger->add_option("--timeout", line_.timeout, "With --wait, give up after this long (exit 7)")->default_val("1h");
  CLI::App* backfill = Add(
      *job, "backfill", "Run a job's past occurrences in [--from, --to)", true,
      [this](const ClientContext& context) { return client::BackfillJob(context, line_.ref, line_.from, line_.to); });
  with_ref(backfill);
  backfill->add_option("--from", line_.from, "The start of the range, an RFC 3339 instant (included)")->required();
  backfill->add_option("--to", line_.to, "The end of the range, an RFC 3339 instant (excluded; not in the future)")
      ->required();
  AddJobTimeline(*job);
}

void ClientCommands::AddJobTimeline(CLI::App& job) {
  CLI::App* next =
      Add(job, "next", "The coming runs of a job, in its zone and UTC", false, [this](const ClientContext& context) {
        return client::ListNextRuns(context, line_.ref, line_.count, Given(line_.tz));
      });
  next->add_option("job", line_.ref, "The job: its id, name or namespace/name")->required();
  next->add_option("-n,--count", line_.count, "How many (1-1000)")->default_val(10);
  next->add_option("--tz", line_.tz, "Also show them in this IANA time zone");
  CLI::App* history = Add(job, "history", "What was changed on a job, by whom and from where, newest first", false,
                          [this](const ClientContext& context) {
                            return client::JobHistory(context, line_.ref, line_.history.limit, line_.history.all);
                          });
  history->add_option("job", line_.ref, "The job: its id (also once deleted), name or namespace/name")->required();
  history->add_flag("--all", line_.history.all, "Every page, not only the first --limit entries");
  history->add_option("--limit", line_.history.limit, "Entries per page (1-1000)")->default_val(100);
}

void ClientCommands::AddJobCreate(CLI::App& job) {
  client::JobFlags& flags = line_.job_flags;
  CLI::App* create =
      Add(job, "create", "Create a job from flags or a file", true,
          [this](const ClientContext& context) { return client::CreateJob(context, line_.job_flags, line_.file); });
  create->add_option("-f,--filename", line_.file, "The job as YAML or JSON (- for standard input); flags win");
  create->add_option("--name", flags.name, "The job's name, unique in its namespace");
  create->add_option("--interval", flags.interval, "hourly, daily, weekly, monthly or hourly_for_today");
  create->add_option("--every", flags.every, "A period such as 15m or 1h30m");
  create->add_option("--cron", flags.cron, "A cron expression such as '0 9 * * MON-FRI'");
  create->add_option("--timezone", flags.timezone, "The IANA zone of --cron (default UTC)");
  create->add_option("--at", flags.at, "Once, at this RFC 3339 instant");
  create->add_option("--start-at", flags.start_at, "No run before this instant");
  create->add_option("--end-at", flags.end_at, "No run at or after this instant");
  create->add_option("--timeout", flags.timeout, "Time limit of one attempt (default 1m)");
  create->add_option("--misfire", flags.misfire, "run_once, skip or run_all");
  create->add_option("--catchup-window", flags.catchup_window, "With run_all: how far back missed runs still run");
  create->add_option("--overlap", flags.overlap, "skip, allow or queue");
  create->add_option("--jitter", flags.jitter, "Start each run up to this much later");
  create->add_flag("--paused", flags.paused, "Create it paused");
  create->add_option("--label", flags.labels, "A label key=value (repeatable)");
  create->add_option("--max-attempts", flags.max_attempts, "Retry a failed run up to this many attempts in all");
  create->add_option("--task", flags.task_json, "The task as JSON, e.g. '{\"type\": \"noop\"}'");
  create->add_option("--http-url", flags.http_url, "Task: call this webhook");
  create->add_option("--http-method", flags.http_method, "Task: the webhook's method (default POST)");
  create->add_option("--http-header", flags.http_headers, "Task: a header 'Name: value' (repeatable)");
  create->add_option("--http-body", flags.http_body, "Task: the webhook's body");
  create->add_option("--http-expect-status", flags.http_expect_status, "Task: the status that means success");
  create->add_option("--email-to", flags.email_to, "Task: send an email to this address (repeatable)");
  create->add_option("--email-subject", flags.email_subject, "Task: the email's subject");
  create->add_option("--email-body", flags.email_body, "Task: the email's text");
  create->add_option("--compute", flags.compute, "Task: factorial_sum, prime_count or monte_carlo_pi");
  create->add_option("--compute-n", flags.compute_n, "Task: the computation's n");
  create
      ->add_option("--shell-command", flags.shell_command,
                   "Task: run this command (argv; needs the service's "
                   "--enable-shell-tasks)")
      ->expected(1, -1);
  create->add_flag("--noop", flags.noop, "Task: do nothing (the run just succeeds)");
}

void ClientCommands::AddRunCommands(CLI::App& cli) {
  CLI::App* run = cli.add_subcommand("run", "List, show, cancel runs and read their output");
  run->require_subcommand(1);
  CLI::App* list = Add(*run, "list", "List runs, newest first", false, [this](const ClientContext& context) {
    line_.run_list.job = Given(line_.run_job);
    line_.run_list.state = Given(line_.run_state);
    return client::ListRuns(context, line_.run_list);
  });
  list->add_option("--job", line_.run_job, "Only this job's runs (id, name or namespace/name)");
  list->add_option("--state", line_.run_state, "Only runs in this state (queued, running, succeeded, failed, ...)");
  list->add_flag("--all", line_.run_list.all, "Every page, not only the first --limit runs");
  list->add_option("--limit", line_.run_list.limit, "Runs per page (1-1000)")->default_val(100);
  auto with_id = [this](CLI::App* command) { command->add_option("run", line_.ref, "The run's id")->required(); };
  with_id(Add(*run, "get", "Show a run", false,
              [this](const ClientContext& context) { return client::GetRun(context, line_.ref); }));
  with_id(Add(*run, "attempts", "The earlier attempts of a run", false,
              [this](const ClientContext& context) { return client::ListAttempts(context, line_.ref); }));
  with_id(Add(*run, "cancel", "Cancel a queued or running run", true,
              [this](const ClientContext& context) { return client::CancelRun(context, line_.ref); }));
  CLI::App* logs = Add(*run, "logs", "A run's output; -f follows it until the run ends", false,
                       [this](const ClientContext& context) {
                         return WithTimeout(context, line_.timeout, [&](std::chrono::milliseconds timeout) {
                           return client::RunLogs(context, line_.ref, line_.follow, timeout);
                         });
                       });
  with_id(logs);
  logs->add_flag("-f,--follow", line_.follow, "Keep printing until the run ends; exit 0 only if it succeeded");
  logs->add_option("--timeout", line_.timeout, "With -f, give up after this long (exit 7)")->default_val("1h");
}

void ClientCommands::AddApplyCommands(CLI::App& cli) {
  for (const bool diff : {false, true}) {
    const std::string help = diff ? "Show what `apply` would change; exit 0 when nothing, 1 when something"
                                  : "Create, change (and with --prune delete) jobs to match job files";
    CLI::App* command = Add(cli, diff ? "diff" : "apply", help, !diff, [this, diff](const ClientContext& context) {
      line_.apply.diff_only = diff;
      return client::RunApply(context, line_.apply);
    });
    command->add_option("-f,--filename", line_.apply.files, "Job file or folder (YAML or JSON; - for stdin)")
        ->required();
    command->add_flag("--prune", line_.apply.prune,
                      "Also delete the jobs of the files' namespaces that the files do not list");
  }
}

std::optional<int> ClientCommands::Run(const CLI::App& cli) const {
  if (completion_->parsed()) {
    std::fputs(CompletionScript(cli, line_.shell).c_str(), stdout);
    return client::kExitOk;
  }
  for (const auto& [command, action] : actions_) {
    if (!command->parsed()) continue;
    auto context = MakeContext(line_);
    if (!context) {
      std::fprintf(stderr, "jobsched: %s\n", context.error().message.c_str());
      return command->get_name() == "diff" ? client::kExitDiffUsage : client::ExitCodeFor(context.error());
    }
    return action(*context);
  }
  return std::nullopt;
}

}  // namespace jobsched::app
