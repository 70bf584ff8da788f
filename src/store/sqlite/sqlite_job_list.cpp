// Lists of jobs for SqliteJobStore: the filters, the substring search on
// names (FTS5's trigram index, migration 0017), the orders with their keyset
// cursors, the label selector (job_labels, migration 0020), and the recent
// outcomes a list shows beside each job.
#include <string>
#include <vector>

#include "store/label_sql.hpp"
#include "store/sqlite/sqlite_job_snapshots.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {
namespace {

// The newest finished run's state, or 'none': what last_outcome compares.
// runs_by_job walks the job's runs newest first; unfinished ones are few.
constexpr const char* kLastOutcome =
    "coalesce((SELECT r.state FROM runs r WHERE r.job_id = jobs.id AND r.state <> 'queued' AND "
    "r.state <> 'running' ORDER BY r.id DESC LIMIT 1), 'none')";

// A sort key for next_run that puts a job without one after every time.
constexpr const char* kNextRunKey = "coalesce(jobs.next_run, 9223372036854775807)";

// The trigram index answers a search of three characters or more; a shorter
// one reads the names (it matches so many that the page fills quickly).
bool SearchesTheIndex(const std::string& text) { return text.size() >= 3; }

// `text` as an FTS5 phrase: a substring to find anywhere in a name.
std::string Phrase(const std::string& text) {
  std::string phrase = "\"";
  for (const char c : text) {
    phrase += c;
    if (c == '"') phrase += '"';
  }
  return phrase + "\"";
}

// The statement for `query`, with its numbered parameters:
// ?1 namespace, (?2 unused: is_active is a literal), ?3 name prefix, ?4 task type, ?5 search text,
// ?6 last outcome, ?7 cursor id, ?8 cursor key, ?9 limit; the label
// selector's keys and values from ?10 on, in `label_values`' order. With
// `driving`, the page is read from job_labels through that requirement.
std::string ListSql(const JobListQuery& query, std::optional<std::size_t> driving,
                    std::vector<std::string>& label_values) {
  const bool indexed_search = query.name_contains && SearchesTheIndex(*query.name_contains) && !driving;
  auto parameter = [&label_values](const std::string& value) {
    label_values.push_back(value);
    return "?" + std::to_string(9 + label_values.size());
  };
  // Two columns: a job the cache holds at this version is taken from it,
  // any other is read whole (JobSnapshotAt).
  std::string sql = "SELECT jobs.id, jobs.row_version FROM ";
  // Searching with the index, the page is read from it, in id order when
  // that is the order asked for (FTS5 walks its matches by rowid).
  if (indexed_search) {
    sql += "jobs_search JOIN jobs ON jobs.id = jobs_search.rowid WHERE jobs_search MATCH ?5";
  } else if (driving) {
    // job_labels_by_value (key=value) or the key (presence) walk the
    // requirement's jobs in id order; CROSS JOIN keeps that loop outside.
    const core::LabelRequirement& requirement = query.labels[*driving];
    sql += "job_labels d CROSS JOIN jobs ON jobs.id = d.job_id WHERE d.key = " + parameter(requirement.key);
    if (!requirement.values.empty()) sql += " AND d.value = " + parameter(requirement.values.front());
  } else {
    sql += "jobs WHERE 1";
  }
  if (query.job_namespace) sql += " AND jobs.namespace = ?1";
  // A literal, not ?2: the planner then sees that jobs_paused (is_active = 0) serves it.
  if (query.is_active) sql += *query.is_active ? " AND jobs.is_active = 1" : " AND jobs.is_active = 0";
  if (query.name_prefix) sql += " AND substr(jobs.name, 1, length(?3)) = ?3";
  if (query.task_type) sql += " AND jobs.task <> '' AND json_extract(jobs.task, '$.type') = ?4";
  if (query.name_contains && !indexed_search) sql += " AND instr(lower(jobs.name), lower(?5)) > 0";
  if (query.last_outcome) sql += " AND " + std::string(kLastOutcome) + " = ?6";
  sql += LabelConditions(query.labels, driving, parameter);
  const char* direction = query.descending ? " DESC" : "";
  const char* beyond = query.descending ? " < " : " > ";
  switch (query.order) {
    case JobOrder::kId: {
      // Through the index, its rowid: FTS5 then reads its matches in order
      // and stops at the page's end.
      const std::string id = indexed_search ? "jobs_search.rowid" : driving ? "d.job_id" : "jobs.id";
      if (query.after_id) sql += " AND " + id + beyond + "?7";
      sql += " ORDER BY " + id + direction;
      break;
    }
    case JobOrder::kName:
      if (query.after_id) sql += std::string(" AND (jobs.name, jobs.id)") + beyond + "(?8, ?7)";
      sql += std::string(" ORDER BY jobs.name") + direction + ", jobs.id" + direction;
      break;
    case JobOrder::kNextRun:
      if (query.after_id) sql += std::string(" AND (") + kNextRunKey + ", jobs.id)" + beyond + "(?8, ?7)";
      sql += std::string(" ORDER BY ") + kNextRunKey + direction + ", jobs.id" + direction;
      break;
  }
  return sql + " LIMIT ?9";
}

// How many jobs' labels a plan counts at most per requirement: a bounded
// count costs at most this many index entries (about a millisecond).
constexpr std::int64_t kCountCap = 2000;

core::Result<std::int64_t> BoundedCount(SqliteConnection& db, const core::LabelRequirement& requirement) {
  auto statement = db.Cached(requirement.values.empty()
                                 ? "SELECT count(*) FROM (SELECT 1 FROM job_labels WHERE key = ?1 LIMIT ?3)"
                                 : "SELECT count(*) FROM (SELECT 1 FROM job_labels WHERE key = ?1 AND value = ?2 "
                                   "LIMIT ?3)");
  if (!statement) return statement.error();
  (*statement)->Bind(1, requirement.key).Bind(3, kCountCap);
  if (!requirement.values.empty()) (*statement)->Bind(2, requirement.values.front());
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const std::int64_t count = (*statement)->ColumnInt(0);
  return count;
}

// The requirement to read the page through, if any: the one of fewest jobs
// (counted up to kCountCap). Reading few jobs and sorting them beats any
// order's scan and the trigram index; reading many pays in id order only
// (the index gives them sorted), without a name search (its index reads the
// page then); otherwise the order's own scan checks each job's labels,
// which is quick when many jobs match.
core::Result<std::optional<std::size_t>> ChooseDriver(SqliteConnection& db, const JobListQuery& query) {
  std::optional<std::size_t> best;
  std::int64_t fewest = kCountCap + 1;
  for (std::size_t i = 0; i < query.labels.size(); ++i) {
    if (!CanDrive(query.labels[i])) continue;
    auto count = BoundedCount(db, query.labels[i]);
    if (!count) return count.error();
    if (*count < fewest) {
      fewest = *count;
      best = i;
    }
  }
  const bool indexed_search = query.name_contains && SearchesTheIndex(*query.name_contains);
  if (fewest >= kCountCap && (query.order != JobOrder::kId || indexed_search)) return std::optional<std::size_t>{};
  return best;
}

// Binds ListSql's numbered parameters for `query`.
void BindList(Statement& list, const JobListQuery& query, const std::vector<std::string>& label_values,
              bool labels_drive) {
  for (std::size_t i = 0; i < label_values.size(); ++i) list.Bind(static_cast<int>(10 + i), label_values[i]);
  if (query.job_namespace) list.Bind(1, *query.job_namespace);
  if (query.name_prefix) list.Bind(3, *query.name_prefix);
  if (query.task_type) list.Bind(4, *query.task_type);
  if (query.name_contains) {
    // The trigram index takes a phrase; instr() (when labels drive) the text.
    const bool indexed = SearchesTheIndex(*query.name_contains) && !labels_drive;
    list.Bind(5, indexed ? Phrase(*query.name_contains) : *query.name_contains);
  }
  if (query.last_outcome) list.Bind(6, *query.last_outcome);
  if (query.after_id) list.Bind(7, *query.after_id);
  if (query.after_id && query.order == JobOrder::kName) list.Bind(8, query.after_name.value_or(""));
  if (query.after_id && query.order == JobOrder::kNextRun) {
    const auto next_run = query.after_next_run.value_or(std::nullopt);
    list.Bind(8, next_run ? core::ToUnixMs(*next_run) : INT64_MAX);
  }
  list.Bind(9, static_cast<std::int64_t>(query.limit));
}

}  // namespace

core::Result<std::vector<core::Job>> SqliteJobStore::ListJobs(const JobListQuery& query) {
  auto snapshots = ListJobSnapshots(query);
  if (!snapshots) return snapshots.error();
  std::vector<core::Job> jobs;
  jobs.reserve(snapshots->size());
  for (const auto& snapshot : *snapshots) jobs.push_back(snapshot->job());
  return jobs;
}

core::Result<std::vector<std::shared_ptr<const JobSnapshot>>> SqliteJobStore::ListJobSnapshots(
    const JobListQuery& query) {
  const std::uint64_t ticket = cache_.Ticket();  // before the read: see JobCache
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto driving = ChooseDriver(**reader, query);
  if (!driving) return driving.error();
  std::vector<std::string> label_values;
  auto statement = (**reader).Cached(ListSql(query, *driving, label_values));
  if (!statement) return statement.error();
  Statement& list = **statement;
  BindList(list, query, label_values, driving->has_value());
  std::vector<std::shared_ptr<const JobSnapshot>> jobs;
  jobs.reserve(query.limit);
  for (;;) {
    auto row = list.Step();
    if (!row) return row.error();
    if (!*row) return jobs;
    // While `list` steps, its read transaction holds: the job is read as
    // the list saw it.
    auto job = JobSnapshotAt(**reader, list.ColumnInt(0), list.ColumnInt(1), cache_, ticket);
    if (!job) return job.error();
    jobs.push_back(std::move(job).value());
  }
}

core::Result<std::map<core::JobId, std::vector<core::RunState>>> SqliteJobStore::RecentRunStates(
    const std::vector<core::JobId>& jobs, std::size_t count) {
  std::map<core::JobId, std::vector<core::RunState>> recent;
  if (jobs.empty()) return recent;
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  // One snapshot for the page.
  const ReadSnapshot snapshot(**reader);
  if (!snapshot.begun()) return snapshot.begun().error();
  auto statement = (**reader).Cached(
      "SELECT state FROM runs WHERE job_id = ?1 AND state <> 'queued' AND state <> 'running' "
      "ORDER BY id DESC LIMIT ?2");
  if (!statement) return statement.error();
  for (const core::JobId job : jobs) {
    std::vector<core::RunState>& states = recent[job];
    (*statement)->Reset().Bind(1, job).Bind(2, static_cast<std::int64_t>(count));
    for (;;) {
      auto row = (*statement)->Step();
      if (!row) return row.error();
      if (!*row) break;
      const auto state = core::ParseRunState((*statement)->ColumnText(0));
      if (!state) return core::Error::Internal("stored run has an unknown state");
      states.push_back(*state);
    }
  }
  return recent;
}

}  // namespace jobsched::store::sqlite
