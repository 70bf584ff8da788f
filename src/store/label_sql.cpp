#include "store/label_sql.hpp"

namespace jobsched::store {

std::string LabelConditions(const core::LabelSelector& selector, std::optional<std::size_t> skip,
                            const TextParameter& parameter) {
  using Operator = core::LabelRequirement::Operator;
  std::string sql;
  for (std::size_t i = 0; i < selector.size(); ++i) {
    if (skip && *skip == i) continue;
    const core::LabelRequirement& requirement = selector[i];
    const bool negated = requirement.op == Operator::kNotExists || requirement.op == Operator::kNotEquals ||
                         requirement.op == Operator::kNotIn;
    // job_labels' key (job_id, key) finds the job's label at once.
    sql += negated ? " AND NOT EXISTS" : " AND EXISTS";
    sql += " (SELECT 1 FROM job_labels l WHERE l.job_id = jobs.id AND l.key = " + parameter(requirement.key);
    if (!requirement.values.empty()) {
      sql += " AND l.value IN (";
      for (std::size_t v = 0; v < requirement.values.size(); ++v) {
        if (v > 0) sql += ", ";
        sql += parameter(requirement.values[v]);
      }
      sql += ')';
    }
    sql += ')';
  }
  return sql;
}

bool CanDrive(const core::LabelRequirement& requirement) {
  return requirement.op == core::LabelRequirement::Operator::kEquals ||
         requirement.op == core::LabelRequirement::Operator::kExists;
}

}  // namespace jobsched::store
