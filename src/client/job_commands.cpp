#include "client/job_commands.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "client/event_follower.hpp"
#include "client/exit_code.hpp"
#include "client/job_file.hpp"
#include "client/job_ref.hpp"
#include "client/table.hpp"
#include "core/text.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

std::string NextRunText(const ClientContext& context, const json::value& job) {
  if (!job.is_object()) return "";
  auto next = core::ParseRfc3339(MemberText(job.get_object(), "next_run"), "next_run");
  return next ? "; next run " + When(*next, context.style.now) : "; no run scheduled";
}

std::string Subject(const json::value& job) {
  if (!job.is_object()) return "job";
  return "job " + MemberText(job.get_object(), "id") + " (" + JobIdentity(job.get_object()) + ")";
}

// The one job of a file given to `job create -f`.
core::Result<json::object> JobFromFile(const std::string& file, const std::string& default_namespace) {
  JobSet set = LoadJobFiles({file}, EnvironmentLookup(), default_namespace);
  if (!set.problems.empty()) {
    std::string message;
    for (const FileProblem& problem : set.problems) message += (message.empty() ? "" : "\n") + problem.Text();
    return core::Error::InvalidArgument("-f", message);
  }
  if (set.jobs.size() != 1) {
    return core::Error::InvalidArgument("-f", file + ": holds " + std::to_string(set.jobs.size()) +
                                                  " jobs; `job create` makes one (use `jobsched apply` for more)");
  }
  return set.jobs.front().body;
}

core::Result<std::int64_t> Resolve(const ClientContext& context, const std::string& ref) {
  return ResolveJob(context.api, ref, ClientNamespace(context));
}

}  // namespace

const std::string& ClientNamespace(const ClientContext& context) { return context.api.settings().namespace_name; }

int ReportChange(const ClientContext& context, const ApiAnswer& answer, Resource resource, const std::string& summary) {
  if (answer.printed) return kExitOk;
  const bool dry_run = answer.body.is_object() && answer.body.get_object().contains("dry_run");
  if (dry_run) {
    context.Print(answer.body, Resource::kDryRun);
  } else if (context.format == OutputFormat::kTable) {
    std::fprintf(context.out, "%s\n", summary.c_str());
  } else if (!answer.body.is_null()) {
    context.Print(answer.body, resource);
  }
  return kExitOk;
}

int ListJobs(const ClientContext& context, const JobListOptions& options) {
  std::string target = "/jobs?limit=" + std::to_string(options.limit);
  if (options.name) target += "&name=" + core::PercentEncode(*options.name);
  if (options.type) target += "&type=" + core::PercentEncode(*options.type);
  if (options.active) target += *options.active ? "&is_active=true" : "&is_active=false";
  if (options.label) target += "&label=" + core::PercentEncode(*options.label);
  if (!ClientNamespace(context).empty()) target += "&namespace=" + core::PercentEncode(ClientNamespace(context));
  auto jobs = context.api.GetAll(target, options.all ? SIZE_MAX : static_cast<std::size_t>(options.limit));
  if (!jobs) return context.Fail(jobs.error());
  context.Print(*jobs, Resource::kJob);
  return kExitOk;
}

int GetJob(const ClientContext& context, const std::string& ref) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  auto job = context.api.Get("/jobs/" + std::to_string(*id));
  if (!job) return context.Fail(job.error());
  context.Print(job->body, Resource::kJob);
  return kExitOk;
}

int CreateJob(const ClientContext& context, const JobFlags& flags, const std::string& file) {
  auto from_flags = JobBodyFromFlags(flags);
  if (!from_flags) return context.Fail(from_flags.error());
  json::object body;
  if (!file.empty()) {
    auto from_file = JobFromFile(file, ClientNamespace(context));
    if (!from_file) return context.Fail(from_file.error());
    body = std::move(from_file).value();
  }
  for (auto& [key, value] : *from_flags) body[key] = value;
  if (!body.contains("namespace") && !ClientNamespace(context).empty()) body["namespace"] = ClientNamespace(context);
  auto created = context.api.Change("POST", ChangeTarget(context, "/jobs"), json::value(body));
  if (!created) return context.Fail(created.error());
  return ReportChange(context, *created, Resource::kJob,
                      "created " + Subject(created->body) + NextRunText(context, created->body));
}

int DeleteJob(const ClientContext& context, const std::string& ref) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  auto deleted = context.api.Change("DELETE", ChangeTarget(context, "/jobs/" + std::to_string(*id)), std::nullopt);
  if (!deleted) return context.Fail(deleted.error());
  return ReportChange(context, *deleted, Resource::kJob, "deleted job " + std::to_string(*id));
}

int SetJobActive(const ClientContext& context, const std::string& ref, bool active) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  const std::string path = "/jobs/" + std::to_string(*id) + (active ? "/resume" : "/pause");
  auto changed = context.api.Change("POST", ChangeTarget(context, path), std::nullopt);
  if (!changed) return context.Fail(changed.error());
  return ReportChange(context, *changed, Resource::kJob,
                      std::string(active ? "resumed " : "paused ") + Subject(changed->body) +
                          (active ? NextRunText(context, changed->body) : ""));
}

int PauseJob(const ClientContext& context, const std::string& ref, const std::optional<std::string>& reason,
             const std::optional<std::string>& until) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  std::optional<json::value> body;
  if (reason || until) {
    json::object members;
    if (reason) members["reason"] = *reason;
    if (until) members["until"] = *until;
    body = std::move(members);
  }
  const std::string path = "/jobs/" + std::to_string(*id) + "/pause";
  auto changed = context.api.Change("POST", ChangeTarget(context, path), body);
  if (!changed) return context.Fail(changed.error());
  std::string text = "paused " + Subject(changed->body);
  if (changed->body.is_object()) {
    const json::object& job = changed->body.get_object();
    auto end = core::ParseRfc3339(MemberText(job, "paused_until"), "paused_until");
    text += end ? " until " + When(*end, context.style.now) : " until resumed";
  }
  return ReportChange(context, *changed, Resource::kJob, text);
}

int ListNextRuns(const ClientContext& context, const std::string& ref, std::int64_t count,
                 const std::optional<std::string>& tz) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  std::string target = "/jobs/" + std::to_string(*id) + "/next?count=" + std::to_string(count);
  if (tz) target += "&tz=" + core::PercentEncode(*tz);
  auto next = context.api.Get(target);
  if (!next) return context.Fail(next.error());
  context.Print(next->body, Resource::kNextRuns);
  return kExitOk;
}

int JobHistory(const ClientContext& context, const std::string& ref, std::int64_t limit, bool all) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  const std::string target = "/jobs/" + std::to_string(*id) + "/history?limit=" + std::to_string(limit);
  if (all) {
    auto entries = context.api.GetAll(target);
    if (!entries) return context.Fail(entries.error());
    context.Print(*entries, Resource::kHistory);
    return kExitOk;
  }
  auto page = context.api.Get(target);
  if (!page) return context.Fail(page.error());
  context.Print(page->body, Resource::kHistory);
  return kExitOk;
}

int TriggerJob(const ClientContext& context, const std::string& ref, bool wait, std::chrono::milliseconds timeout) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  auto run =
      context.api.Change("POST", ChangeTarget(context, "/jobs/" + std::to_string(*id) + "/trigger"), std::nullopt);
  if (!run) return context.Fail(run.error());
  if (run->printed || context.dry_run || !wait) {
    return ReportChange(context, *run, Resource::kRun,
                        "triggered job " + std::to_string(*id) + ": run " +
                            (run->body.is_object() ? MemberText(run->body.get_object(), "id") : "?") + " queued");
  }
  const std::int64_t run_id = run->body.at("id").to_number<std::int64_t>();
  context.Say("triggered job " + std::to_string(*id) + ": waiting for run " + std::to_string(run_id) + " to end");
  EventStreamFollower follower(context.api);
  auto ended = follower.Follow(run_id, {}, timeout);
  if (!ended) return context.Fail(ended.error());
  context.Print(*ended, Resource::kRun);
  const std::string state = MemberText(*ended, "state");
  if (state == "succeeded") return kExitOk;
  context.Say("run " + std::to_string(run_id) + " ended " + state + ": " + MemberText(*ended, "error"));
  return kExitRunFailed;
}

int BackfillJob(const ClientContext& context, const std::string& ref, const std::string& from, const std::string& to) {
  auto id = Resolve(context, ref);
  if (!id) return context.Fail(id.error());
  json::object range;
  range["from"] = from;
  range["to"] = to;
  auto answer = context.api.Change("POST", ChangeTarget(context, "/jobs/" + std::to_string(*id) + "/backfill"),
                                   json::value(std::move(range)));
  if (!answer) return context.Fail(answer.error());
  if (answer->printed) return kExitOk;
  if (context.format != OutputFormat::kTable || !answer->body.is_object()) {
    context.Print(answer->body, Resource::kRun);
    return kExitOk;
  }
  const json::object& counts = answer->body.get_object();
  const bool dry_run = counts.contains("dry_run");
  std::fprintf(context.out, "%s job %lld: %s runs %s, %s occurrences already had one (%s to %s)\n",
               dry_run ? "dry run: backfilling" : "backfilled", static_cast<long long>(*id),
               MemberText(counts, "created").c_str(), dry_run ? "would be created" : "created",
               MemberText(counts, "existing").c_str(), MemberText(counts, "from").c_str(),
               MemberText(counts, "to").c_str());
  return kExitOk;
}

}  // namespace jobsched::client
