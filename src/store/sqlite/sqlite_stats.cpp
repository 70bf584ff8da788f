// The console's overview for SqliteJobStore (GET /stats): the runs that
// ended and the lateness of those that started in the window come from the
// roll-ups that migration 0021's triggers keep (run_stats, run_lateness: a
// few rows per bucket, read by primary key; docs/decisions/0013); the
// unfinished runs from runs_queued and runs_running, the failing jobs from
// failing_jobs (kept by the same triggers), all in one snapshot.
#include <string>
#include <vector>

#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::store::sqlite {
namespace {

// Parameters, the same in every statement:
// ?1 namespace ('' for every one), ?2 from, ?3 to, ?4 bucket width, ?6 late before, ?7 due until.

// " JOIN jobs ..." keeping the runs of the namespace, or nothing.
std::string Scope(bool scoped) { return scoped ? " JOIN jobs j ON j.id = r.job_id AND j.namespace = ?1" : ""; }

// The roll-up rows of the window's buckets, of one namespace or of '' (every
// namespace): one range of the primary key (width, namespace, bucket, ...).
const char* const kRollupWhere = " WHERE width = ?4 AND namespace = ?1 AND bucket >= ?2 AND bucket <= ?3";

// Runs that ended in each bucket of the window, by state.
std::string FinishedSql() {
  return std::string(
             "SELECT (bucket - ?2) / ?4, sum(succeeded), sum(failed), sum(timed_out), sum(skipped),"
             " sum(cancelled) FROM run_stats") +
         kRollupWhere + " GROUP BY bucket";
}

// How many runs started in each bucket at each (rounded) lateness, in the
// key's order: no sort (core::PercentilesOf adds up a value's shards).
std::string LatenessSql() {
  return std::string("SELECT (bucket - ?2) / ?4, value, count FROM run_lateness") + kRollupWhere + " ORDER BY bucket";
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

// Active and paused jobs (job_counts, which 0024's triggers keep: a scan of
// `jobs` took up to a second at 1,000,000 jobs), those due soon (a range of
// jobs_due), and the active ones whose newest finished run failed (the job
// list's last_outcome), which 0021's triggers keep in failing_jobs.
std::string JobsSql(bool scoped) {
  const std::string in_namespace = scoped ? " AND namespace = ?1" : "";
  return "SELECT (SELECT coalesce(sum(active), 0) FROM job_counts WHERE true" + in_namespace +
         "), (SELECT coalesce(sum(paused), 0) FROM job_counts WHERE true" + in_namespace +
         "), (SELECT count(*) FROM jobs INDEXED BY jobs_due WHERE is_active = 1 AND next_run IS NOT NULL"
         " AND next_run <= ?7" +
         in_namespace +
         "), (SELECT count(*) FROM failing_jobs f JOIN jobs fj ON fj.id = f.job_id AND fj.is_active = 1" +
         std::string(scoped ? " AND fj.namespace = ?1" : "") + ")";
}

void BindQuery(Statement& statement, const StatsQuery& query) {
  // The roll-ups' namespace '' is every namespace; the other statements
  // name ?1 only when scoped.
  statement.Bind(1, query.job_namespace ? std::string_view(*query.job_namespace) : std::string_view(""));
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
  auto statement = db.Cached(FinishedSql());
  if (!statement) return statement.error();
  BindQuery(**statement, query);
  constexpr core::RunState kStates[] = {core::RunState::kSucceeded, core::RunState::kFailed, core::RunState::kTimedOut,
                                        core::RunState::kSkipped, core::RunState::kCancelled};
  for (;;) {
    auto row = (*statement)->Step();
    if (!row) return row.error();
    if (!*row) return core::Ok();
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, (*statement)->ColumnInt(0));
    for (int column = 0; column < 5; ++column) {
      const std::int64_t count = (*statement)->ColumnInt(column + 1);
      if (count == 0) continue;
      const core::RunState state = kStates[column];
      stats.runs[state] += count;
      bucket.runs += count;
      if (state == core::RunState::kFailed || state == core::RunState::kTimedOut) bucket.failed += count;
    }
    if (bucket.runs > 0) stats.buckets.push_back(bucket);
  }
}

// The histogram of each bucket, in bucket order, turned into its percentiles.
core::Result<void> ReadLateness(SqliteConnection& db, const StatsQuery& query, StoreStats& stats) {
  auto statement = db.Cached(LatenessSql());
  if (!statement) return statement.error();
  BindQuery(**statement, query);
  std::optional<std::int64_t> position;
  std::vector<core::LatenessCount> histogram;
  const auto flush = [&] {
    if (!position) return;
    const core::LatenessPercentiles percentiles = core::PercentilesOf(std::move(histogram));
    histogram.clear();
    if (!percentiles.p50_ms) return;
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, *position);
    bucket.lateness_p50_ms = percentiles.p50_ms;
    bucket.lateness_p99_ms = percentiles.p99_ms;
    stats.buckets.push_back(bucket);
  };
  for (;;) {
    auto row = (*statement)->Step();
    if (!row) return row.error();
    if (!*row) break;
    const std::int64_t at = (*statement)->ColumnInt(0);
    if (position != at) {
      flush();
      position = at;
    }
    histogram.push_back({(*statement)->ColumnInt(1), (*statement)->ColumnInt(2)});
  }
  flush();
  return core::Ok();
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
  if (!core::IsRollupBucketing(query.from, query.bucket_width)) {
    return core::Error::InvalidArgument("bucket_width", kNotRollupBucketing);
  }
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
