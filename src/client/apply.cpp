#include "client/apply.hpp"

#include <algorithm>
#include <map>

#include "client/apply_plan.hpp"
#include "client/exit_code.hpp"
#include "client/job_commands.hpp"
#include "client/job_diff.hpp"
#include "client/job_file.hpp"
#include "core/text.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

using JobsByName = std::map<std::string, std::vector<json::object>>;

struct Planning {
  const ClientContext& context;
  std::vector<PlannedChange> plan;
  std::vector<FileProblem> problems;
  // What the problems exit with: 1 for refused input, unless one was of
  // another kind (a key without the role: 4; the service failing: 5).
  int exit_code = kExitUsage;

  void Add(FileProblem problem, const core::Error& error) {
    if (error.code != core::ErrorCode::kInvalidArgument) exit_code = std::max(exit_code, ExitCodeFor(error));
    problems.push_back(std::move(problem));
  }
};

std::vector<std::string> StringList(const json::value* value) {
  std::vector<std::string> out;
  if (value == nullptr || !value->is_array()) return out;
  for (const json::value& item : value->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

PlannedChange Planned(PlannedChange::Kind kind, std::string identity, std::string source, std::int64_t id = 0) {
  PlannedChange change;
  change.kind = kind;
  change.identity = std::move(identity);
  change.source = std::move(source);
  change.id = id;
  return change;
}

std::int64_t IdOf(const json::object& job) { return job.at("id").to_number<std::int64_t>(); }

void Refused(Planning& planning, const DesiredJob& job, const core::Error& error) {
  // A 401/403/5xx is no mistake of the file, but still stops the whole set.
  std::string message = error.message;
  // A refusal of the job's content reads best as the service's own words.
  constexpr std::string_view kAnswered = "the service answered 400: ";
  if (message.rfind(kAnswered, 0) == 0) message.erase(0, kAnswered.size());
  planning.Add({job.file, job.LineOf(error.field), job.name, error.field, message}, error);
}

void PlanCreate(Planning& planning, const DesiredJob& job) {
  auto answer = planning.context.api.DryRun("POST", "/jobs", json::value(job.body));
  if (!answer) return Refused(planning, job, answer.error());
  PlannedChange change = Planned(PlannedChange::Kind::kCreate, job.namespace_name + "/" + job.name, job.Source());
  change.preview = answer->body.at("job").get_object();
  change.body = job.body;
  planning.plan.push_back(std::move(change));
}

// The job as the file has it is compared with the stored one by the service
// itself (a dry run of the full patch), so both are normalised alike
// ("90m" is "1h30m") and a changed secret counts although neither shows it.
void PlanUpdate(Planning& planning, const DesiredJob& job, const json::object& current) {
  const std::string path = "/jobs/" + std::to_string(IdOf(current));
  const json::object full = FullPatch(job.body);
  auto compared = planning.context.api.DryRun("PATCH", path, json::value(full));
  if (!compared) return Refused(planning, job, compared.error());
  std::vector<std::string> changed = StringList(compared->body.get_object().if_contains("changed"));
  std::erase(changed, "next_run");  // moves whenever a schedule is set, even to itself
  PlannedChange change =
      Planned(PlannedChange::Kind::kUnchanged, job.namespace_name + "/" + job.name, job.Source(), IdOf(current));
  change.current = current;
  if (!changed.empty()) {
    change.kind = PlannedChange::Kind::kUpdate;
    change.body = MinimalPatch(full, changed);
    auto previewed = planning.context.api.DryRun("PATCH", path, json::value(change.body));
    if (!previewed) return Refused(planning, job, previewed.error());
    change.preview = previewed->body.at("job").get_object();
    change.changed = StringList(previewed->body.get_object().if_contains("changed"));
    change.etag = previewed->etag;  // the job as compared: If-Match keeps a later change from being overwritten
  }
  planning.plan.push_back(std::move(change));
}

// The jobs of `ns` on the service, by name.
core::Result<JobsByName> CurrentJobs(const ClientContext& context, const std::string& ns) {
  auto jobs = context.api.GetAll("/jobs?limit=1000&namespace=" + core::PercentEncode(ns));
  if (!jobs) return jobs.error();
  JobsByName by_name;
  for (const json::value& job : *jobs) {
    if (job.is_object()) by_name[MemberText(job.get_object(), "name")].push_back(job.get_object());
  }
  return by_name;
}

void PlanPrune(Planning& planning, const JobSet& set, const std::string& ns, const JobsByName& current) {
  for (const auto& [stored_name, jobs] : current) {
    const std::string& name = stored_name;  // a lambda cannot capture a structured binding (clang 14)
    const bool listed = std::any_of(set.jobs.begin(), set.jobs.end(), [&](const DesiredJob& job) {
      return job.namespace_name == ns && job.name == name;
    });
    if (listed) continue;
    for (const json::object& job : jobs) {
      auto checked = planning.context.api.DryRun("DELETE", "/jobs/" + std::to_string(IdOf(job)), std::nullopt);
      if (!checked) {
        planning.Add({ns + "/" + name, 0, name, "", checked.error().message}, checked.error());
        continue;
      }
      PlannedChange change = Planned(PlannedChange::Kind::kDelete, ns + "/" + name, "", IdOf(job));
      change.current = job;
      change.etag = checked->etag;
      planning.plan.push_back(std::move(change));
    }
  }
}

core::Result<void> PlanNamespace(Planning& planning, const JobSet& set, const std::string& ns, bool prune) {
  auto current = CurrentJobs(planning.context, ns);
  if (!current) return current.error();
  for (const DesiredJob& job : set.jobs) {
    if (job.namespace_name != ns) continue;
    auto found = current->find(job.name);
    if (found == current->end()) {
      PlanCreate(planning, job);
    } else if (found->second.size() > 1) {
      planning.problems.push_back({job.file, job.line, job.name, "name",
                                   "jobs " + MemberText(found->second[0], "id") + " and " +
                                       MemberText(found->second[1], "id") + " of namespace '" + ns +
                                       "' share this name (from before names were unique); rename or delete one"});
    } else {
      PlanUpdate(planning, job, found->second.front());
    }
  }
  if (prune) PlanPrune(planning, set, ns, *current);
  return core::Ok();
}

// Makes one change; an update or delete carries If-Match with the version
// the plan compared, so a job changed meanwhile is not overwritten.
core::Result<void> Execute(const ClientContext& context, const PlannedChange& change) {
  const std::string path = "/jobs/" + std::to_string(change.id);
  core::Result<ApiAnswer> done = change.kind == PlannedChange::Kind::kCreate
                                     ? context.api.Change("POST", "/jobs", json::value(change.body))
                                 : change.kind == PlannedChange::Kind::kUpdate
                                     ? context.api.Change("PATCH", path, json::value(change.body), change.etag)
                                     : context.api.Change("DELETE", path, std::nullopt, change.etag);
  if (done) return core::Ok();
  if (done.error().code != core::ErrorCode::kPreconditionFailed) return done.error();
  return core::Error{core::ErrorCode::kPreconditionFailed,
                     "job " + std::to_string(change.id) + " (" + change.identity +
                         ") was changed by someone else while this apply ran; nothing of it was overwritten: run "
                         "apply again",
                     ""};
}

int ReportProblems(const ClientContext& context, const std::vector<FileProblem>& problems, bool diff_only,
                   int exit_code = kExitUsage) {
  for (const FileProblem& problem : problems) std::fprintf(context.err, "%s\n", problem.Text().c_str());
  context.Say("jobsched: " + std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") +
              "; nothing was applied");
  return diff_only && exit_code == kExitUsage ? kExitDiffUsage : exit_code;
}

// Every change the files ask for, each checked by the service.
core::Result<Planning> Plan(const ClientContext& context, const ApplyOptions& options, JobSet& set) {
  Planning planning{context, {}, {}};
  for (const std::string& ns : set.Namespaces()) {
    if (auto planned = PlanNamespace(planning, set, ns, options.prune); !planned) return planned.error();
  }
  return planning;
}

}  // namespace

int RunApply(const ClientContext& context, const ApplyOptions& options) {
  const std::string default_namespace = ClientNamespace(context).empty() ? "default" : ClientNamespace(context);
  JobSet set = LoadJobFiles(options.files, EnvironmentLookup(), default_namespace);
  if (!set.problems.empty()) return ReportProblems(context, set.problems, options.diff_only);
  auto planning = Plan(context, options, set);
  if (!planning) {
    const int code = context.Fail(planning.error());
    return options.diff_only && code == kExitUsage ? kExitDiffUsage : code;
  }
  if (!planning->problems.empty()) {
    return ReportProblems(context, planning->problems, options.diff_only, planning->exit_code);
  }
  const std::string text = RenderPlan(planning->plan, context.style.color);
  std::fputs(text.c_str(), context.out);
  const bool changes = PlanChangesSomething(planning->plan);
  if (options.diff_only) return changes ? kExitDiffChanges : kExitOk;
  if (context.dry_run || !changes) {
    if (context.dry_run) context.Say("dry run: nothing was changed");
    return kExitOk;
  }
  std::size_t done = 0;
  for (const PlannedChange& change : planning->plan) {
    if (change.kind == PlannedChange::Kind::kUnchanged) continue;
    if (auto executed = Execute(context, change); !executed) {
      context.Say("jobsched: stopped after " + std::to_string(done) + " change" + (done == 1 ? "" : "s") + " at " +
                  change.identity + ":");
      return context.Fail(executed.error());
    }
    ++done;
  }
  if (!context.api.printing()) {
    std::fprintf(context.out, "applied %zu change%s\n", done, done == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace jobsched::client
