// The console's overview for SqliteJobStore (GET /stats): counts, a series
// in buckets and the lateness percentiles, each an aggregate in SQL over
// the indexes the runs table has anyway (0014 dropped the ones that cost WAL
// on every run; this adds none): runs_finished_at for the window's finished
// and started runs, runs_queued and runs_running for now, runs_by_job for
// each active job's newest outcome.
#include <string>

#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::store::sqlite {
namespace {

// Parameters, the same in every statement:
// ?1 namespace, ?2 from, ?3 to, ?4 bucket width, ?6 late before, ?7 due until.

// " JOIN jobs ..." keeping the runs of the namespace, or nothing.
std::string Scope(bool scoped) { return scoped ? " JOIN jobs j ON j.id = r.job_id AND j.namespace = ?1" : ""; }

// Runs that finished in the window, by bucket and state. The index's own
// WHERE is repeated so that SQLite may use the partial index.
std::string FinishedSql(bool scoped) {
  return "SELECT (r.finished_at - ?2) / ?4 AS bucket, r.state, count(*) FROM runs r INDEXED BY runs_finished_at" +
         Scope(scoped) +
         " WHERE r.finished_at >= ?2 AND r.finished_at <= ?3 AND r.state <> 'queued' AND r.state <> 'running'"
         " GROUP BY bucket, r.state";
}

// The nearest-rank 50th and 99th percentiles of the lateness of the runs
// that started in each bucket. SQLite has no percentile function: the runs
// of a bucket are numbered by lateness and the row at rank ceil(n * p / 100)
// picked. A run that started in the window either finished since (so after
// `from`, in runs_finished_at) or is running (runs_running).
std::string LatenessSql(bool scoped) {
  const std::string lateness = "SELECT (r.started_at - ?2) / ?4 AS bucket, r.started_at - r.scheduled_for AS lateness";
  const std::string started = " AND r.started_at >= ?2 AND r.started_at <= ?3";
  return "WITH started AS (" + lateness + " FROM runs r INDEXED BY runs_finished_at" + Scope(scoped) +
         " WHERE r.finished_at >= ?2 AND r.state <> 'queued' AND r.state <> 'running'" + started + " UNION ALL " +
         lateness + " FROM runs r INDEXED BY runs_running" + Scope(scoped) + " WHERE r.state = 'running'" + started +
         "), ranked AS (SELECT bucket, lateness, row_number() OVER (PARTITION BY bucket ORDER BY lateness) AS position,"
         " count(*) OVER (PARTITION BY bucket) AS total FROM started)"
         " SELECT bucket, max(CASE WHEN position = (total * 50 + 99) / 100 THEN lateness END),"
         " max(CASE WHEN position = (total * 99 + 99) / 100 THEN lateness END) FROM ranked GROUP BY bucket";
}

// Queued (and of them, late) and running runs now. The indexes are named:
// with a namespace, SQLite would otherwise start from the namespace's jobs
// and read each one's whole history through runs_by_job.
std::string UnfinishedSql(bool scoped) {
  return "SELECT * FROM (SELECT count(*), coalesce(sum(coalesce(r.available_at, r.scheduled_for) < ?6), 0)"
         " FROM runs r INDEXED BY runs_queued" +
         Scope(scoped) + " WHERE r.state = 'queued'), (SELECT count(*) FROM runs r INDEXED BY runs_running" +
         Scope(scoped) + " WHERE r.state = 'running')";
}

// Active and paused jobs, those due soon, and the active ones whose newest
// finished run failed (the job list's last_outcome: runs_by_job newest first).
std::string JobsSql(bool scoped) {
  return std::string(
             "SELECT coalesce(sum(is_active = 1), 0), coalesce(sum(is_active = 0), 0),"
             " coalesce(sum(is_active = 1 AND next_run IS NOT NULL AND next_run <= ?7), 0),"
             " coalesce(sum(CASE WHEN is_active = 1 THEN (SELECT r.state FROM runs r WHERE r.job_id = jobs.id"
             " AND r.state <> 'queued' AND r.state <> 'running' ORDER BY r.id DESC LIMIT 1) IN ('failed', 'timed_out')"
             " ELSE 0 END), 0) FROM jobs") +
         (scoped ? " WHERE namespace = ?1" : "");
}

void BindQuery(Statement& statement, const StatsQuery& query) {
  if (query.job_namespace) statement.Bind(1, *query.job_namespace);
  statement.Bind(2, core::ToUnixMs(query.from))
      .Bind(3, core::ToUnixMs(query.to))
      .Bind(4, std::int64_t{query.bucket_width.count()})
      .Bind(6, core::ToUnixMs(query.now - query.late_after))
      .Bind(7, core::ToUnixMs(query.now + query.due_within));
}

core::TimePoint BucketAt(const StatsQuery& query, std::int64_t bucket) {
  return query.from + query.bucket_width * bucket;
}

core::Result<void> ReadFinished(SqliteConnection& db, const StatsQuery& query, StoreStats& stats) {
  auto statement = db.Cached(FinishedSql(query.job_namespace.has_value()));
  if (!statement) return statement.error();
  BindQuery(**statement, query);
  for (;;) {
    auto row = (*statement)->Step();
    if (!row) return row.error();
    if (!*row) return core::Ok();
    const auto state = core::ParseRunState((*statement)->ColumnText(1));
    if (!state) return core::Error::Internal("stored run has an unknown state");
    const std::int64_t count = (*statement)->ColumnInt(2);
    stats.runs[*state] += count;
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, (*statement)->ColumnInt(0));
    bucket.runs = count;
    if (*state == core::RunState::kFailed || *state == core::RunState::kTimedOut) bucket.failed = count;
    stats.buckets.push_back(bucket);
  }
}

core::Result<void> ReadLateness(SqliteConnection& db, const StatsQuery& query, StoreStats& stats) {
  auto statement = db.Cached(LatenessSql(query.job_namespace.has_value()));
  if (!statement) return statement.error();
  BindQuery(**statement, query);
  for (;;) {
    auto row = (*statement)->Step();
    if (!row) return row.error();
    if (!*row) return core::Ok();
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, (*statement)->ColumnInt(0));
    bucket.lateness_p50_ms = (*statement)->ColumnOptionalInt(1);
    bucket.lateness_p99_ms = (*statement)->ColumnOptionalInt(2);
    stats.buckets.push_back(bucket);
  }
}

// Runs one statement answering one row and hands it to `read`.
template <typename Read>
core::Result<void> ReadRow(SqliteConnection& db, const std::string& sql, const StatsQuery& query, Read read) {
  auto statement = db.Cached(sql);
  if (!statement) return statement.error();
  BindQuery(**statement, query);
  auto row = (*statement)->Step();
  if (!row) return row.error();
  if (!*row) return core::Error::Internal("an aggregate answered no row");
  read(**statement);
  return core::Ok();
}

}  // namespace

core::Result<StoreStats> SqliteJobStore::Stats(const StatsQuery& query) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  SqliteConnection& db = **reader;
  // One snapshot for every figure.
  const ReadSnapshot snapshot(db);
  if (!snapshot.begun()) return snapshot.begun().error();
  const bool scoped = query.job_namespace.has_value();
  StoreStats stats;
  if (auto read = ReadFinished(db, query, stats); !read) return read.error();
  if (auto read = ReadLateness(db, query, stats); !read) return read.error();
  auto unfinished = ReadRow(db, UnfinishedSql(scoped), query, [&stats](const Statement& row) {
    stats.runs[core::RunState::kQueued] = row.ColumnInt(0);
    stats.late_now = row.ColumnInt(1);
    stats.runs[core::RunState::kRunning] = row.ColumnInt(2);
  });
  if (!unfinished) return unfinished.error();
  auto jobs = ReadRow(db, JobsSql(scoped), query, [&stats](const Statement& row) {
    stats.jobs_active = row.ColumnInt(0);
    stats.jobs_paused = row.ColumnInt(1);
    stats.due_soon = row.ColumnInt(2);
    stats.failing = row.ColumnInt(3);
  });
  if (!jobs) return jobs.error();
  return stats;
}

}  // namespace jobsched::store::sqlite
