// Lists of jobs for PostgresJobStore: the filters, the substring search on
// names (ILIKE, served by pg_trgm's index where the migration could make
// it), the orders with their keyset cursors, the label selector (job_labels,
// migration 0020), and the recent outcomes a list shows beside each job.
#include <string>
#include <vector>

#include "store/label_sql.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {
namespace {

// The newest finished run's state, or 'none': what last_outcome compares.
constexpr const char* kLastOutcome =
    "coalesce((SELECT r.state FROM runs r WHERE r.job_id = jobs.id AND r.state NOT IN ('queued', 'running') "
    "ORDER BY r.id DESC LIMIT 1), 'none')";

// A sort key for next_run that puts a job without one after every time.
constexpr const char* kNextRunKey = "coalesce(jobs.next_run, 9223372036854775807)";

// `text` as an ILIKE pattern matching it anywhere: its own % _ and \ escaped.
std::string ContainsPattern(const std::string& text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

// The keyset cursor's condition, the order and the limit of `query`.
void AppendOrder(const JobListQuery& query, PgParams& params, std::string& sql) {
  auto next = [&params] { return "$" + std::to_string(params.size() + 1); };
  const char* direction = query.descending ? " DESC" : "";
  const char* beyond = query.descending ? " < " : " > ";
  std::string key;
  switch (query.order) {
    case JobOrder::kId: break;
    case JobOrder::kName: key = "jobs.name"; break;
    case JobOrder::kNextRun: key = kNextRunKey; break;
  }
  if (query.after_id) {
    if (key.empty()) {
      sql += std::string(" AND jobs.id") + beyond + next() + "::bigint";
    } else {
      sql += " AND (" + key + ", jobs.id)" + beyond + "(" + next();
      if (query.order == JobOrder::kName) {
        sql += "::text";
        params.Add(query.after_name.value_or(""));
      } else {
        sql += "::bigint";
        const auto next_run = query.after_next_run.value_or(std::nullopt);
        params.Add(next_run ? core::ToUnixMs(*next_run) : INT64_MAX);
      }
      sql += ", " + next() + "::bigint)";
    }
    params.Add(*query.after_id);
  }
  sql += " ORDER BY ";
  if (!key.empty()) sql += key + direction + ", ";
  sql += std::string("jobs.id") + direction + " LIMIT " + next();
  params.Add(static_cast<std::int64_t>(query.limit));
}

// The statement for `query` and its parameters, in order.
std::string ListSql(const JobListQuery& query, PgParams& params) {
  std::string sql = "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE true";
  auto next = [&params] { return "$" + std::to_string(params.size() + 1); };
  if (query.job_namespace) {
    sql += " AND jobs.namespace = " + next();
    params.Add(*query.job_namespace);
  }
  // A literal, not a parameter: every plan can then use jobs_paused (NOT is_active).
  if (query.is_active) sql += *query.is_active ? " AND jobs.is_active" : " AND NOT jobs.is_active";
  if (query.name_prefix) {
    sql += " AND starts_with(jobs.name, " + next() + "::text)";
    params.Add(*query.name_prefix);
  }
  if (query.task_type) {
    sql += " AND jobs.task <> '' AND jobs.task::json ->> 'type' = " + next() + "::text";
    params.Add(*query.task_type);
  }
  if (query.name_contains) {
    sql += " AND jobs.name ILIKE " + next() + "::text";
    params.Add(ContainsPattern(*query.name_contains));
  }
  if (query.last_outcome) {
    sql += std::string(" AND ") + kLastOutcome + " = " + next() + "::text";
    params.Add(*query.last_outcome);
  }
  // EXISTS and NOT EXISTS, which the planner turns into semi- and anti-joins
  // on job_labels, reading it first when its statistics say few jobs match.
  sql += LabelConditions(query.labels, std::nullopt, [&](const std::string& value) {
    std::string placeholder = next() + "::text";
    params.Add(value);
    return placeholder;
  });
  AppendOrder(query, params, sql);
  return sql;
}

}  // namespace

core::Result<std::vector<core::Job>> PostgresJobStore::ListJobs(const JobListQuery& query) {
  return database_->readers().Read<std::vector<core::Job>>(
      [&query](PgConnection& db) -> core::Result<std::vector<core::Job>> {
        PgParams params;
        const std::string sql = ListSql(query, params);
        auto selected = db.Query(sql, params);
        if (!selected) return selected.error();
        return CollectRows<core::Job>(*selected, JobFromRow);
      });
}

core::Result<std::map<core::JobId, std::vector<core::RunState>>> PostgresJobStore::RecentRunStates(
    const std::vector<core::JobId>& jobs, std::size_t count) {
  std::map<core::JobId, std::vector<core::RunState>> recent;
  if (jobs.empty()) return recent;
  const std::vector<std::optional<std::int64_t>> ids(jobs.begin(), jobs.end());
  return database_->readers().Read<std::map<core::JobId, std::vector<core::RunState>>>(
      [&](PgConnection& db) -> core::Result<std::map<core::JobId, std::vector<core::RunState>>> {
        // One statement for the page: each job's newest finished runs.
        auto selected = db.Query(
            "SELECT j.id, r.state FROM unnest($1::bigint[]) AS j (id) CROSS JOIN LATERAL ("
            " SELECT id, state FROM runs WHERE runs.job_id = j.id AND state NOT IN ('queued', 'running')"
            " ORDER BY id DESC LIMIT $2) r ORDER BY j.id, r.id DESC",
            PgParams().AddArray(ids).Add(static_cast<std::int64_t>(count)));
        if (!selected) return selected.error();
        for (const core::JobId job : jobs) recent[job];
        for (int row = 0; row < selected->rows(); ++row) {
          const auto state = core::ParseRunState(selected->Text(row, 1));
          if (!state) return core::Error::Internal("stored run has an unknown state");
          recent[selected->Int(row, 0)].push_back(*state);
        }
        return recent;
      });
}

}  // namespace jobsched::store::postgres
