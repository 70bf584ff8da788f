#include "client/output_tables.hpp"

#include <algorithm>

#include "client/job_diff.hpp"
#include "client/json_text.hpp"
#include "core/time.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

// A time member as "in 3h (2026-...Z)", or its text when it is none.
std::string TimeText(const json::object& object, std::string_view member, const TableStyle& style) {
  const std::string text = MemberText(object, member);
  auto instant = core::ParseRfc3339(text, member);
  return instant ? When(*instant, style.now) : text;
}

bool IsTimeMember(std::string_view member) {
  return member == "last_run" || member == "next_run" || member == "scheduled_for" || member == "at" ||
         member == "paused_until" || (member.size() > 3 && member.substr(member.size() - 3) == "_at");
}

std::string JobState(const json::object& job) {
  const json::value* active = job.if_contains("is_active");
  return active != nullptr && active->is_bool() && !active->get_bool() ? "paused" : "active";
}

std::string JobTable(const json::array& jobs, const TableStyle& style) {
  Table table({"ID", "NAMESPACE", "NAME", "SCHEDULE", "STATE", "NEXT RUN", "LAST RUN"});
  for (const json::value& item : jobs) {
    if (!item.is_object()) continue;
    const json::object& job = item.get_object();
    const std::string state = JobState(job);
    // A paused job's next run is its resume, when it has one.
    const bool resumes = state == "paused" && core::ParseRfc3339(MemberText(job, "paused_until"), "").ok();
    table.AddRow({{MemberText(job, "id"), ""},
                  {MemberText(job, "namespace"), ""},
                  {MemberText(job, "name"), ""},
                  {DescribeSchedule(job), ""},
                  {state, StateColor(state)},
                  {resumes ? "resumes " + TimeText(job, "paused_until", style) : TimeText(job, "next_run", style), ""},
                  {TimeText(job, "last_run", style), ""}});
  }
  return table.Render(style.color);
}

std::string Duration(const json::object& run) {
  const json::value* ms = run.if_contains("duration_ms");
  if (ms == nullptr || !ms->is_int64()) return "-";
  const std::int64_t value = ms->get_int64();
  return value < 1000 ? std::to_string(value) + "ms" : ShortestNumber(static_cast<double>(value) / 1000.0) + "s";
}

std::string RunTable(const json::array& runs, const TableStyle& style) {
  Table table({"ID", "JOB", "STATE", "TRIGGER", "ATTEMPT", "SCHEDULED", "STARTED", "DURATION"});
  for (const json::value& item : runs) {
    if (!item.is_object()) continue;
    const json::object& run = item.get_object();
    const std::string state = MemberText(run, "state");
    table.AddRow({{MemberText(run, "id"), ""},
                  {MemberText(run, "job_id"), ""},
                  {state, StateColor(state)},
                  {MemberText(run, "trigger"), ""},
                  {MemberText(run, "attempt"), ""},
                  {TimeText(run, "scheduled_for", style), ""},
                  {TimeText(run, "started_at", style), ""},
                  {Duration(run), ""}});
  }
  return table.Render(style.color);
}

std::string AttemptTable(const json::array& attempts, const TableStyle& style) {
  Table table({"ATTEMPT", "STATE", "STARTED", "FINISHED", "ERROR"});
  for (const json::value& item : attempts) {
    if (!item.is_object()) continue;
    const json::object& attempt = item.get_object();
    const std::string state = MemberText(attempt, "state");
    table.AddRow({{MemberText(attempt, "attempt"), ""},
                  {state, StateColor(state)},
                  {TimeText(attempt, "started_at", style), ""},
                  {TimeText(attempt, "finished_at", style), ""},
                  {MemberText(attempt, "error"), ""}});
  }
  return table.Render(style.color);
}

// A job's audit history (GET /jobs/{id}/history), newest first.
std::string HistoryTable(const json::array& entries, const TableStyle& style) {
  Table table({"ID", "WHEN", "ACTION", "ACTOR", "SOURCE", "REQUEST"});
  for (const json::value& item : entries) {
    if (!item.is_object()) continue;
    const json::object& entry = item.get_object();
    table.AddRow({{MemberText(entry, "id"), ""},
                  {TimeText(entry, "at", style), ""},
                  {MemberText(entry, "action"), ""},
                  {MemberText(entry, "actor"), ""},
                  {MemberText(entry, "source"), ""},
                  {MemberText(entry, "request_id"), ""}});
  }
  return table.Render(style.color);
}

std::string NextRunsTable(const json::object& next, const TableStyle& style) {
  const bool has_tz = next.contains("tz");
  std::vector<std::string> headers{"UTC", "LOCAL (" + MemberText(next, "timezone") + ")"};
  if (has_tz) headers.push_back("TZ (" + MemberText(next, "tz") + ")");
  headers.emplace_back("WHEN");
  Table table(headers);
  const json::value* runs = next.if_contains("next_runs");
  for (const json::value& item : runs != nullptr && runs->is_array() ? runs->get_array() : json::array()) {
    if (!item.is_object()) continue;
    const json::object& occurrence = item.get_object();
    std::vector<Cell> row{{MemberText(occurrence, "utc"), ""}, {MemberText(occurrence, "local"), ""}};
    if (has_tz) row.push_back({MemberText(occurrence, "tz"), ""});
    auto instant = core::ParseRfc3339(MemberText(occurrence, "utc"), "utc");
    row.push_back({instant ? Relative(*instant, style.now) : "-", ""});
    table.AddRow(std::move(row));
  }
  const json::value* active = next.if_contains("is_active");
  const bool paused = active != nullptr && active->is_bool() && !active->get_bool();
  return (paused ? std::string("job is paused: the runs it would get if resumed now\n") : std::string()) +
         table.Render(style.color);
}

// A job's labels as "team=payments, tier=web", or "-" without any.
std::string LabelsText(const json::object& job) {
  const json::value* labels = job.if_contains("labels");
  if (labels == nullptr || !labels->is_object() || labels->get_object().empty()) return "-";
  std::string text;
  for (const auto& [key, value] : labels->get_object()) {
    if (!text.empty()) text += ", ";
    text += std::string(key) + "=" + (value.is_string() ? std::string(value.get_string()) : ToJsonText(value, false));
  }
  return text;
}

// "member: value" lines, aligned; a multi-line value (a run's output) as an
// indented block after its member.
std::string Details(const json::object& object, const TableStyle& style) {
  std::size_t width = 0;
  for (const auto& [key, value] : object) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : object) {
    std::string text = IsTimeMember(key) ? TimeText(object, key, style)
                       : key == "labels" ? LabelsText(object)
                                         : MemberText(object, key);
    if (text.find('\n') != std::string::npos) {
      out += std::string(key) + ":\n";
      std::size_t start = 0;
      while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        out += "  " + text.substr(start, end - start) + "\n";
        start = end + 1;
      }
      continue;
    }
    std::string color = key == "state" ? StateColor(text) : "";
    if (style.color && !color.empty()) text = "\x1b[" + color + "m" + text + "\x1b[0m";
    out += std::string(key) + ":" + std::string(width - key.size() + 1, ' ') + text + "\n";
  }
  return out;
}

}  // namespace

std::string RenderTable(const json::value& value, Resource resource, const TableStyle& style) {
  if (value.is_array()) {
    switch (resource) {
      case Resource::kJob: return JobTable(value.get_array(), style);
      case Resource::kRun: return RunTable(value.get_array(), style);
      case Resource::kAttempts: return AttemptTable(value.get_array(), style);
      case Resource::kHistory: return HistoryTable(value.get_array(), style);
      default: break;
    }
    std::string out;
    for (const json::value& item : value.get_array()) out += RenderTable(item, resource, style);
    return out;
  }
  if (!value.is_object()) return ToJsonText(value, false) + "\n";
  if (resource == Resource::kNextRuns) return NextRunsTable(value.get_object(), style);
  if (resource == Resource::kDryRun) return DescribeDryRun(value.get_object(), style);
  return Details(value.get_object(), style);
}

}  // namespace jobsched::client
