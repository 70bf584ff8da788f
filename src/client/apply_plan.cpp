#include "client/apply_plan.hpp"

#include <algorithm>

#include "client/job_diff.hpp"
#include "client/output.hpp"

namespace jobsched::client {
namespace {

std::string Sign(char sign, bool color) {
  if (!color) return std::string(1, sign);
  const char* code = sign == '+' ? "32" : sign == '~' ? "33" : "31";
  return std::string("\x1b[") + code + "m" + sign + "\x1b[0m";
}

std::string Where(const PlannedChange& change) {
  std::string where;
  if (change.id != 0) where = "job " + std::to_string(change.id);
  if (!change.source.empty()) where += (where.empty() ? "" : ", ") + change.source;
  return where.empty() ? "" : "  (" + where + ")";
}

}  // namespace

std::string RenderPlan(const std::vector<PlannedChange>& plan, bool color) {
  std::string out;
  std::size_t creates = 0, updates = 0, deletes = 0, unchanged = 0;
  for (const PlannedChange& change : plan) {
    switch (change.kind) {
      case PlannedChange::Kind::kCreate:
        ++creates;
        out += Sign('+', color) + " create " + change.identity + Where(change) + "\n";
        out += "    schedule: " + DescribeSchedule(change.preview) + "\n";
        out += "    next_run: " + MemberText(change.preview, "next_run") + "\n";
        break;
      case PlannedChange::Kind::kUpdate:
        ++updates;
        out += Sign('~', color) + " change " + change.identity + Where(change) + "\n";
        out += DescribeChanges(change.current, change.preview, change.changed, "    ");
        break;
      case PlannedChange::Kind::kDelete:
        ++deletes;
        out += Sign('-', color) + " delete " + change.identity + Where(change) + "\n";
        break;
      case PlannedChange::Kind::kUnchanged: ++unchanged; break;
    }
  }
  if (unchanged > 0) out += "= " + std::to_string(unchanged) + " unchanged\n";
  out += "plan: " + std::to_string(creates) + " to create, " + std::to_string(updates) + " to change, " +
         std::to_string(deletes) + " to delete, " + std::to_string(unchanged) + " unchanged\n";
  return out;
}

bool PlanChangesSomething(const std::vector<PlannedChange>& plan) {
  return std::any_of(plan.begin(), plan.end(),
                     [](const PlannedChange& change) { return change.kind != PlannedChange::Kind::kUnchanged; });
}

}  // namespace jobsched::client
