#include "client/job_diff.hpp"

#include <algorithm>
#include <array>

#include "core/duration.hpp"
#include "core/job.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 7> kScheduleMembers{"interval", "every",    "cron",  "timezone",
                                                           "at",       "start_at", "end_at"};

bool Given(const json::object& object, std::string_view member) {
  const json::value* value = object.if_contains(member);
  return value != nullptr && !value->is_null();
}

}  // namespace

const std::vector<std::string>& JobFileMembers() {
  static const std::vector<std::string> kMembers{
      "name",   "namespace", "labels",  "interval", "every",   "cron",           "timezone", "at",     "start_at",
      "end_at", "task",      "timeout", "retry",    "misfire", "catchup_window", "overlap",  "jitter", "is_active"};
  return kMembers;
}

bool IsScheduleMember(std::string_view member) {
  return std::find(kScheduleMembers.begin(), kScheduleMembers.end(), member) != kScheduleMembers.end();
}

json::object FullPatch(const json::object& desired) {
  json::object patch;
  for (const std::string& member : JobFileMembers()) {
    if (member == "namespace") continue;
    if (Given(desired, member)) {
      patch[member] = desired.at(member);
    } else if (member == "timeout") {
      patch[member] = core::FormatDuration(core::kDefaultJobTimeout);
    } else if (member == "misfire") {
      patch[member] = core::ToString(core::MisfirePolicy::kRunOnce);
    } else if (member == "catchup_window") {
      patch[member] = core::FormatDuration(core::kDefaultCatchupWindow);
    } else if (member == "overlap") {
      patch[member] = core::ToString(core::OverlapPolicy::kSkip);
    } else if (member == "jitter") {
      patch[member] = "0s";
    } else if (member == "timezone") {
      if (Given(desired, "cron")) patch[member] = "UTC";
    } else if (member == "task" || member == "start_at" || member == "retry" || member == "labels") {
      patch[member] = nullptr;
    } else if (member == "end_at" && !(Given(desired, "interval") && desired.at("interval") == "hourly_for_today")) {
      patch[member] = nullptr;  // hourly_for_today's end is the service's to set
    }
  }
  return patch;
}

json::object MinimalPatch(const json::object& full, const std::vector<std::string>& changed) {
  const bool schedule =
      std::any_of(changed.begin(), changed.end(), [](const std::string& m) { return IsScheduleMember(m); });
  json::object patch;
  for (const auto& [key, value] : full) {
    const bool listed = std::find(changed.begin(), changed.end(), key) != changed.end();
    if (listed || (schedule && IsScheduleMember(key))) patch[key] = value;
  }
  return patch;
}

std::string DescribeChanges(const json::object& before, const json::object& after,
                            const std::vector<std::string>& changed, std::string_view indent) {
  std::string out;
  for (const std::string& member : changed) {
    const std::string old_text = MemberText(before, member);
    const std::string new_text = MemberText(after, member);
    out += std::string(indent) + member + ": " + old_text + " -> " + new_text;
    // Both sides show secrets as REDACTED; the service compared them in full.
    if (old_text == new_text) out += "  (a secret changed)";
    out += "\n";
  }
  return out;
}

std::string DescribeDryRun(const json::object& dry_run, const TableStyle&) {
  const std::string action = MemberText(dry_run, "action");
  const json::value* job_value = dry_run.if_contains("job");
  const json::object job = job_value != nullptr && job_value->is_object() ? job_value->get_object() : json::object();
  std::string subject =
      "job " + (Given(job, "id") ? MemberText(job, "id") + " " : std::string()) + "(" + JobIdentity(job) + ")";
  if (action == "cancel") {
    const json::value* run = dry_run.if_contains("run");
    const json::object run_object = run != nullptr && run->is_object() ? run->get_object() : json::object();
    subject = "run " + MemberText(run_object, "id") + " (" + MemberText(run_object, "state") + ") of " + subject;
  }
  std::string out = "dry run: would " + action + " " + subject + "; nothing was changed\n";
  if (action == "create") out += "  next_run: " + MemberText(job, "next_run") + "\n";
  const json::value* changed = dry_run.if_contains("changed");
  const json::value* current = dry_run.if_contains("current");
  if (changed != nullptr && changed->is_array() && current != nullptr && current->is_object()) {
    std::vector<std::string> members;
    for (const json::value& member : changed->get_array()) {
      if (member.is_string()) members.emplace_back(member.get_string());
    }
    if (members.empty()) out += "  no change\n";
    out += DescribeChanges(current->get_object(), job, members, "  ");
  }
  return out;
}

}  // namespace jobsched::client
