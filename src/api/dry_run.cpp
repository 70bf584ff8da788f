#include "api/dry_run.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/job_etag.hpp"
#include "api/json_codec.hpp"
#include "api/json_response.hpp"
#include "api/query_params.hpp"
#include "codec/task_codec.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

// Members every accepted change moves (or never changes): not "changes".
// paused_at goes with is_active, as updated_at with any change.
bool IsBookkeeping(std::string_view member) {
  return member == "version" || member == "updated_at" || member == "created_at" || member == "id" ||
         member == "paused_at";
}

json::object JobObject(const core::Job& job) { return json::parse(EncodeJob(job)).as_object(); }

}  // namespace

core::Result<bool> DryRunRequested(const HttpRequest& request) {
  auto params = QueryParams::Parse(request.query);
  if (!params) return params.error();
  auto dry_run = params->GetBool("dry_run");
  if (!dry_run) return dry_run.error();
  return dry_run->value_or(false);
}

std::vector<std::string> ChangedMembers(const core::Job& before, const core::Job& after) {
  const json::object old_members = JobObject(before);
  const json::object new_members = JobObject(after);
  std::vector<std::string> changed;
  auto note = [&changed](std::string_view member) {
    if (std::find(changed.begin(), changed.end(), member) == changed.end()) changed.emplace_back(member);
  };
  for (const auto& [key, value] : new_members) {
    if (IsBookkeeping(key)) continue;
    const json::value* old_value = old_members.if_contains(key);
    if (old_value == nullptr || *old_value != value) note(key);
  }
  for (const auto& [key, value] : old_members) {
    if (!IsBookkeeping(key) && !new_members.contains(key)) note(key);
  }
  // Both show secrets as REDACTED; the stored form tells a new secret apart.
  const std::string old_task = before.task ? codec::EncodeTask(*before.task) : std::string();
  const std::string new_task = after.task ? codec::EncodeTask(*after.task) : std::string();
  if (old_task != new_task) note("task");
  return changed;
}

HttpResponse DryRunResponse(const DryRunAnswer& answer) {
  // Written from the encoders' own text (not a parsed copy, which would
  // respell numbers such as 0.1 as 1E-1), so it reads like every other answer.
  std::string body = "{\"dry_run\":true,\"action\":" + json::serialize(json::string_view(answer.action));
  if (answer.job != nullptr) {
    std::string job = EncodeJob(*answer.job);
    // A create: no id is assigned. EncodeJob writes the id first.
    if (answer.job->id == 0) job.replace(0, std::string_view("{\"id\":0").size(), "{\"id\":null");
    body += ",\"job\":" + job;
  }
  if (answer.current != nullptr && answer.job != nullptr) {
    body += ",\"current\":" + EncodeJob(*answer.current);
    json::array changed;
    for (std::string& member : ChangedMembers(*answer.current, *answer.job)) changed.emplace_back(std::move(member));
    body += ",\"changed\":" + json::serialize(changed);
  }
  if (answer.run != nullptr) body += ",\"run\":" + EncodeRun(*answer.run);
  body += '}';
  HttpResponse response = JsonResponse(200, std::move(body));
  // A stored job's ETag as it is now (a dry run changes nothing): as
  // If-Match, it makes exactly the change previewed or none.
  const core::Job* stored = answer.current != nullptr ? answer.current : answer.job;
  if (stored != nullptr && stored->id != 0) response.SetHeader("ETag", JobETag(*stored, EncodeJob(*stored)));
  return response;
}

core::Result<void> CheckNameFree(store::JobStore& store, const core::Job& job) {
  store::JobListQuery query;
  query.job_namespace = job.namespace_name;
  query.name_prefix = job.name;
  query.limit = 1000;
  // Names with this one as their prefix come too: page through them.
  for (;;) {
    auto page = store.ListJobs(query);
    if (!page) return page.error();
    for (const core::Job& other : *page) {
      if (other.name == job.name && other.id != job.id) return store::JobNameTaken(job.name, job.namespace_name);
    }
    if (page->size() < query.limit) return core::Ok();
    query.after_id = page->back().id;
  }
}

core::Result<void> CheckTriggerAllowed(store::JobStore& store, const core::Job& job) {
  if (job.overlap != core::OverlapPolicy::kSkip) return core::Ok();
  for (const core::RunState state : {core::RunState::kRunning, core::RunState::kQueued}) {
    store::RunListQuery query;
    query.job_id = job.id;
    query.state = state;
    query.limit = 1;
    auto runs = store.ListRuns(query);
    if (!runs) return runs.error();
    if (!runs->empty()) {
      return core::Error::Conflict("run " + std::to_string(runs->front().id) +
                                   " of this job has not finished and its overlap policy is skip; cancel it, "
                                   "wait for it, or set overlap to allow or queue");
    }
  }
  return core::Ok();
}

core::Result<core::Run> CheckCancelAllowed(store::JobStore& store, core::JobId job_id, core::RunId run_id) {
  auto run = store.GetRun(run_id);
  if (!run) return run.error();
  if (run->job_id != job_id) {
    return core::Error::NotFound("run " + std::to_string(run_id) + " is not a run of job " + std::to_string(job_id));
  }
  if (core::IsTerminal(run->state)) {
    return core::Error::Conflict("run " + std::to_string(run_id) + " has already ended (" +
                                 std::string(core::ToString(run->state)) + ")");
  }
  return run;
}

}  // namespace jobsched::api
