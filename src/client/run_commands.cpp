#include "client/run_commands.hpp"

#include <charconv>

#include "client/event_follower.hpp"
#include "client/exit_code.hpp"
#include "client/job_commands.hpp"
#include "client/job_ref.hpp"
#include "core/text.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

core::Result<std::int64_t> RunId(const std::string& text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return core::Error::InvalidArgument(
        "run", "a run is named by its id, a positive number; got '" + text.substr(0, 32) + "'");
  }
  return id;
}

void PrintOutput(const ClientContext& context, const json::object& run) {
  const std::string output = MemberText(run, "output");
  if (output != "-" && !output.empty()) {
    std::fputs(output.c_str(), context.out);
    if (output.back() != '\n') std::fputc('\n', context.out);
  }
  const std::string error = MemberText(run, "error");
  if (error != "-") context.Say("error: " + error);
}

}  // namespace

int ListRuns(const ClientContext& context, const RunListOptions& options) {
  std::string target = "/runs?limit=" + std::to_string(options.limit);
  if (options.job) {
    auto job = ResolveJob(context.api, *options.job, ClientNamespace(context));
    if (!job) return context.Fail(job.error());
    target = "/jobs/" + std::to_string(*job) + "/runs?limit=" + std::to_string(options.limit);
  }
  if (options.state) target += "&state=" + core::PercentEncode(*options.state);
  auto runs = context.api.GetAll(target, options.all ? SIZE_MAX : static_cast<std::size_t>(options.limit));
  if (!runs) return context.Fail(runs.error());
  context.Print(*runs, Resource::kRun);
  return kExitOk;
}

int GetRun(const ClientContext& context, const std::string& id) {
  auto run_id = RunId(id);
  if (!run_id) return context.Fail(run_id.error());
  auto run = context.api.Get("/runs/" + std::to_string(*run_id));
  if (!run) return context.Fail(run.error());
  context.Print(run->body, Resource::kRun);
  return kExitOk;
}

int ListAttempts(const ClientContext& context, const std::string& id) {
  auto run_id = RunId(id);
  if (!run_id) return context.Fail(run_id.error());
  auto attempts = context.api.Get("/runs/" + std::to_string(*run_id) + "/attempts");
  if (!attempts) return context.Fail(attempts.error());
  context.Print(attempts->body, Resource::kAttempts);
  return kExitOk;
}

int CancelRun(const ClientContext& context, const std::string& id) {
  auto run_id = RunId(id);
  if (!run_id) return context.Fail(run_id.error());
  auto run = context.api.Get("/runs/" + std::to_string(*run_id));
  if (!run) return context.Fail(run.error());
  const std::string job = MemberText(run->body.get_object(), "job_id");
  const std::string path = "/jobs/" + job + "/runs/" + std::to_string(*run_id) + "/cancel";
  auto cancelled = context.api.Change("POST", ChangeTarget(context, path), std::nullopt);
  if (!cancelled) return context.Fail(cancelled.error());
  const bool ended = cancelled->status == 200;
  return ReportChange(context, *cancelled, Resource::kRun,
                      "run " + std::to_string(*run_id) +
                          (ended ? " cancelled" : " is running: asked to stop (see `jobsched run get`)"));
}

int RunLogs(const ClientContext& context, const std::string& id, bool follow, std::chrono::milliseconds timeout) {
  auto run_id = RunId(id);
  if (!run_id) return context.Fail(run_id.error());
  if (!follow) {
    auto run = context.api.Get("/runs/" + std::to_string(*run_id));
    if (!run) return context.Fail(run.error());
    if (context.format != OutputFormat::kTable) {
      context.Print(run->body, Resource::kRun);
    } else {
      PrintOutput(context, run->body.get_object());
    }
    return kExitOk;
  }
  RunEvents events;
  events.on_state = [&context, &run_id](const json::object& run) {
    context.Say("run " + std::to_string(*run_id) + ": " + MemberText(run, "state") + " (attempt " +
                MemberText(run, "attempt") + ")");
  };
  events.on_output = [&context](const std::string& text, bool restarted) {
    if (restarted) context.Say("--- output of a new attempt ---");
    std::fputs(text.c_str(), context.out);
    std::fflush(context.out);
  };
  EventStreamFollower follower(context.api);
  auto ended = follower.Follow(*run_id, events, timeout);
  if (!ended) return context.Fail(ended.error());
  const std::string error = MemberText(*ended, "error");
  if (error != "-") context.Say("error: " + error);
  return MemberText(*ended, "state") == "succeeded" ? kExitOk : kExitRunFailed;
}

}  // namespace jobsched::client
