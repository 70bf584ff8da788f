#include "api/json_codec.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "codec/alert_rule_codec.hpp"
#include "codec/labels_codec.hpp"
#include "codec/retry_codec.hpp"
#include "codec/task_codec.hpp"
#include "core/duration.hpp"
#include "core/spelling.hpp"
#include "core/time.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 24> kKnownFields{
    "name",      "interval",       "every",         "cron",      "timezone",     "at",
    "start_at",  "end_at",         "task",          "is_active", "timeout",      "retry",
    "misfire",   "catchup_window", "overlap",       "jitter",    "last_run",     "next_run",
    "namespace", "labels",         "paused_reason", "paused_at", "paused_until", "alerts"};

// Members a client may echo back from a GET that only the service sets.
bool IsReadOnly(std::string_view key) {
  return key == "last_run" || key == "next_run" || key == "paused_at" || key == "paused_until";
}

}  // namespace

std::optional<std::string>* JobRequestStringField(core::JobRequest& request, std::string_view key) {
  if (key == "name") return &request.name;
  if (key == "interval") return &request.interval;
  if (key == "every") return &request.every;
  if (key == "cron") return &request.cron;
  if (key == "timezone") return &request.timezone;
  if (key == "at") return &request.at;
  if (key == "start_at") return &request.start_at;
  if (key == "end_at") return &request.end_at;
  if (key == "timeout") return &request.timeout;
  if (key == "misfire") return &request.misfire;
  if (key == "catchup_window") return &request.catchup_window;
  if (key == "overlap") return &request.overlap;
  if (key == "jitter") return &request.jitter;
  if (key == "namespace") return &request.namespace_name;
  return nullptr;
}

core::Error UnknownJobField(std::string_view name) {
  std::string message = "unknown field '" + std::string(name.substr(0, 64)) + "'";
  const std::string_view closest =
      core::ClosestSpelling(name, kKnownFields, [](std::string_view known) { return known; });
  if (!closest.empty()) message += "; did you mean '" + std::string(closest) + "'?";
  return core::Error::InvalidArgument(std::string(name.substr(0, 64)), message);
}

namespace {

core::Error WrongType(std::string_view field, std::string_view expected) {
  return core::Error::InvalidArgument(std::string(field), std::string(field) + ": must be " + std::string(expected));
}

std::string Quote(std::string_view text) { return json::serialize(json::string_view(text.data(), text.size())); }

void AppendTime(std::string& out, std::string_view key, const std::optional<core::TimePoint>& time) {
  out += ",\"";
  out += key;
  out += "\":";
  if (time) {
    out += '"';
    core::AppendRfc3339(out, *time);
    out += '"';
  } else {
    out += "null";
  }
}

void AppendJob(std::string& out, const core::Job& job) {
  out += "{\"id\":";
  out += std::to_string(job.id);
  out += ",\"name\":";
  out += Quote(job.name);
  out += ",\"namespace\":";
  out += Quote(job.namespace_name);
  out += ",\"labels\":";
  codec::AppendLabels(out, job.labels);
  // Secrets of webhook channels are shown as REDACTED, as a task's are.
  out += ",\"alerts\":";
  out += job.alerts ? codec::EncodeAlertRuleForApi(*job.alerts) : "null";
  // The original's clients read `interval`; it is null for other schedules.
  out += ",\"interval\":";
  const auto named = job.schedule.named_interval();
  out += named ? Quote(core::ToString(*named)) : "null";
  switch (job.schedule.kind()) {
    case core::ScheduleKind::kEvery:
      out += ",\"every\":";
      out += Quote(job.schedule.expression());
      break;
    case core::ScheduleKind::kCron:
      out += ",\"cron\":";
      out += Quote(job.schedule.expression());
      out += ",\"timezone\":";
      out += Quote(job.schedule.timezone());
      break;
    case core::ScheduleKind::kAt: AppendTime(out, "at", job.schedule.at()); break;
    case core::ScheduleKind::kInterval: break;
  }
  if (job.schedule.start_at()) AppendTime(out, "start_at", job.schedule.start_at());
  if (job.schedule.end_at()) AppendTime(out, "end_at", job.schedule.end_at());
  out += ",\"task\":";
  out += job.task ? codec::EncodeTaskForApi(*job.task) : "null";
  out += ",\"timeout\":";
  out += Quote(core::FormatDuration(job.timeout));
  out += ",\"retry\":";
  codec::AppendRetryPolicy(out, job.retry);
  out += ",\"misfire\":";
  out += Quote(core::ToString(job.misfire));
  out += ",\"catchup_window\":";
  out += Quote(core::FormatDuration(job.catchup_window));
  out += ",\"overlap\":";
  out += Quote(core::ToString(job.overlap));
  out += ",\"jitter\":";
  out += Quote(core::FormatDuration(job.jitter));
  out += ",\"is_active\":";
  out += job.is_active ? "true" : "false";
  out += ",\"paused_reason\":";
  out += job.paused_reason ? Quote(*job.paused_reason) : "null";
  AppendTime(out, "paused_at", job.paused_at);
  AppendTime(out, "paused_until", job.paused_until);
  AppendTime(out, "last_run", job.last_run);
  AppendTime(out, "next_run", job.next_run);
  AppendTime(out, "created_at", job.created_at);
  AppendTime(out, "updated_at", job.updated_at);
  out += ",\"version\":";
  out += std::to_string(job.version);
  out += '}';
}

void AppendRun(std::string& out, const core::Run& run) {
  out += "{\"id\":";
  out += std::to_string(run.id);
  out += ",\"job_id\":";
  out += std::to_string(run.job_id);
  AppendTime(out, "scheduled_for", run.scheduled_for);
  out += ",\"trigger\":";
  out += Quote(core::ToString(run.trigger));
  out += ",\"state\":";
  out += Quote(core::ToString(run.state));
  out += ",\"attempt\":";
  out += std::to_string(run.attempt);
  AppendTime(out, "created_at", run.created_at);
  AppendTime(out, "started_at", run.started_at);
  AppendTime(out, "finished_at", run.finished_at);
  out += ",\"duration_ms\":";
  out += run.duration_ms ? std::to_string(*run.duration_ms) : "null";
  out += ",\"output\":";
  out += Quote(run.output);
  out += ",\"error\":";
  out += run.error.empty() ? "null" : Quote(run.error);
  out += ",\"jitter_ms\":";
  out += std::to_string(run.jitter.count());
  AppendTime(out, "cancel_requested_at", run.cancel_requested_at);
  out += '}';
}

}  // namespace

namespace {

core::Result<json::object> ParseObject(std::string_view body) {
  json::error_code error;
  json::value document = json::parse(json::string_view(body.data(), body.size()), error);
  if (error) {
    return core::Error::InvalidArgument("body", "request body is not valid JSON: " + error.message());
  }
  if (!document.is_object()) return core::Error::InvalidArgument("body", "request body must be a JSON object");
  return std::move(document.as_object());
}

// Members a patch may set to null: removed, or (retry) back to the default.
bool IsRemovable(std::string_view key) {
  return key == "task" || key == "timezone" || key == "start_at" || key == "end_at" || key == "retry" ||
         key == "labels" || key == "alerts";
}

bool IsKnownField(std::string_view key) {
  return std::find(kKnownFields.begin(), kKnownFields.end(), key) != kKnownFields.end();
}

// labels and alerts: JSON objects their own codecs read.
core::Result<void> DecodeObjectMember(std::string_view key, const json::value& value, core::JobRequest& request) {
  if (key == "labels") {
    if (!value.is_object()) return WrongType(key, "an object of strings such as {\"team\": \"payments\"}");
    auto labels = codec::DecodeLabels(json::serialize(value));
    if (!labels) return labels.error();
    request.labels = std::move(labels).value();
    return core::Ok();
  }
  if (!value.is_object()) return WrongType(key, "an object such as {\"on\": [\"failed\"], \"channels\": [...]}");
  auto rule = codec::DecodeAlertRule(json::serialize(value));
  if (!rule) return rule.error();
  request.alerts = std::move(rule).value();
  return core::Ok();
}

// Reads the members of a job request into `request`. With `cleared` (a
// patch), null removes a removable member and is refused for the others;
// without it (a create), null means "not set".
core::Result<void> DecodeJobMembers(const json::object& object, core::JobRequest& request,
                                    std::set<std::string>* cleared) {
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    if (cleared != nullptr && value.is_null() && !IsReadOnly(key) && key != "paused_reason") {
      if (!IsRemovable(key)) {
        if (!IsKnownField(key)) return UnknownJobField(key);
        return core::Error::InvalidArgument(std::string(key), std::string(key) + ": cannot be removed, only changed");
      }
      cleared->insert(std::string(key));
      continue;
    }
    if (std::optional<std::string>* field = JobRequestStringField(request, key)) {
      // null means "not set", as clients that send every field write it.
      if (value.is_null() && key != "name") continue;
      if (!value.is_string()) return WrongType(key, "a string");
      *field = std::string(value.as_string().data(), value.as_string().size());
    } else if (key == "is_active") {
      if (!value.is_bool()) return WrongType(key, "true or false");
      request.is_active = value.as_bool();
    } else if (key == "task") {
      if (value.is_null()) continue;
      if (!value.is_object()) return WrongType(key, "a JSON object");
      std::string text = json::serialize(value);
      if (text.size() > kMaxTaskBytes) {
        return core::Error::InvalidArgument("task", "task: at most " + std::to_string(kMaxTaskBytes) + " bytes");
      }
      auto task = codec::DecodeTask(text);
      if (!task) return task.error();
      request.task = std::move(task).value();
    } else if (key == "retry") {
      if (value.is_null()) continue;
      if (!value.is_object()) return WrongType(key, "an object such as {\"max_attempts\": 3}");
      auto policy = codec::DecodeRetryPolicy(json::serialize(value));
      if (!policy) return policy.error();
      request.retry = *policy;
    } else if (key == "labels" || key == "alerts") {
      if (value.is_null()) continue;
      if (auto decoded = DecodeObjectMember(key, value, request); !decoded) return decoded.error();
    } else if (IsReadOnly(key)) {
      // Read-only fields the original's clients may echo back: ignored.
      if (!value.is_null() && !value.is_string()) return WrongType(key, "a date-time string or null");
    } else if (key == "paused_reason") {
      // Read-only too: a pause's reason is set by POST /jobs/{id}/pause.
      if (!value.is_null() && !value.is_string()) return WrongType(key, "a string or null");
    } else {
      return UnknownJobField(key);
    }
  }
  return core::Ok();
}

}  // namespace

core::Result<core::JobRequest> DecodeJobRequest(std::string_view body) {
  auto object = ParseObject(body);
  if (!object) return object.error();
  core::JobRequest request;
  if (auto decoded = DecodeJobMembers(*object, request, nullptr); !decoded) return decoded.error();
  return request;
}

core::Result<core::JobPatch> DecodeJobPatch(std::string_view body) {
  auto object = ParseObject(body);
  if (!object) return object.error();
  core::JobPatch patch;
  if (auto decoded = DecodeJobMembers(*object, patch.set, &patch.cleared); !decoded) return decoded.error();
  return patch;
}

std::string EncodeJob(const core::Job& job) {
  std::string out;
  out.reserve(512 + job.name.size());
  AppendJob(out, job);
  return out;
}

std::string EncodeJobs(const std::vector<core::Job>& jobs) {
  std::string out;
  out.reserve(2 + jobs.size() * 400);
  out += '[';
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (i > 0) out += ',';
    AppendJob(out, jobs[i]);
  }
  out += ']';
  return out;
}

}  // namespace jobsched::api

namespace jobsched::api {

std::string EncodeRun(const core::Run& run) {
  std::string out;
  out.reserve(320 + run.output.size() + run.error.size());
  AppendRun(out, run);
  return out;
}

std::string EncodeRuns(const std::vector<core::Run>& runs) {
  std::string out;
  out += '[';
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) out += ',';
    AppendRun(out, runs[i]);
  }
  out += ']';
  return out;
}

std::string EncodeRunAttempts(const std::vector<core::RunAttempt>& attempts) {
  std::string out = "[";
  for (const core::RunAttempt& attempt : attempts) {
    if (out.size() > 1) out += ',';
    out += "{\"attempt\":";
    out += std::to_string(attempt.attempt);
    out += ",\"state\":";
    out += Quote(core::ToString(attempt.state));
    AppendTime(out, "started_at", attempt.started_at);
    AppendTime(out, "finished_at", attempt.finished_at);
    out += ",\"error\":";
    out += attempt.error.empty() ? "null" : Quote(attempt.error);
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace jobsched::api
