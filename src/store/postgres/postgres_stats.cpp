// The console's overview for PostgresJobStore (GET /stats): the statements
// of sqlite_stats.cpp in PostgreSQL's dialect, over the same existing
// indexes (runs_finished_at, runs_queued, runs_running, runs_by_job), in one
// read-only snapshot.
#include <string>

#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {
namespace {

// " JOIN jobs ..." keeping the runs of the namespace `parameter`, or nothing.
std::string Scope(const StatsQuery& query, const std::string& parameter) {
  return query.job_namespace ? " JOIN jobs j ON j.id = r.job_id AND j.namespace = " + parameter + "::text" : "";
}

// $1 from, $2 to, $3 bucket width, and the namespace as $4 when there is one.
PgParams WindowParams(const StatsQuery& query) {
  PgParams params;
  params.Add(core::ToUnixMs(query.from)).Add(core::ToUnixMs(query.to)).Add(std::int64_t{query.bucket_width.count()});
  if (query.job_namespace) params.Add(*query.job_namespace);
  return params;
}

core::TimePoint BucketAt(const StatsQuery& query, std::int64_t bucket) {
  return query.from + query.bucket_width * bucket;
}

// Runs that finished in the window, by bucket and state.
core::Result<void> ReadFinished(PgConnection& db, const StatsQuery& query, StoreStats& stats) {
  auto selected = db.Query(
      "SELECT (r.finished_at - $1::bigint) / $3::bigint AS bucket, r.state, count(*) FROM runs r" + Scope(query, "$4") +
          " WHERE r.finished_at >= $1::bigint AND r.finished_at <= $2::bigint AND r.state NOT IN ('queued', 'running')"
          " GROUP BY bucket, r.state",
      WindowParams(query));
  if (!selected) return selected.error();
  for (int row = 0; row < selected->rows(); ++row) {
    const auto state = core::ParseRunState(selected->Text(row, 1));
    if (!state) return core::Error::Internal("stored run has an unknown state");
    const std::int64_t count = selected->Int(row, 2);
    stats.runs[*state] += count;
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, selected->Int(row, 0));
    bucket.runs = count;
    if (*state == core::RunState::kFailed || *state == core::RunState::kTimedOut) bucket.failed = count;
    stats.buckets.push_back(bucket);
  }
  return core::Ok();
}

// The nearest-rank 50th and 99th percentiles of the lateness of the runs
// that started in each bucket, picked by rank (ceil(n * p / 100)) exactly
// as on SQLite, which has no percentile_disc, so both stores agree.
core::Result<void> ReadLateness(PgConnection& db, const StatsQuery& query, StoreStats& stats) {
  const std::string lateness =
      "SELECT (r.started_at - $1::bigint) / $3::bigint AS bucket, r.started_at - r.scheduled_for AS lateness"
      " FROM runs r" +
      Scope(query, "$4");
  const std::string started = " AND r.started_at >= $1::bigint AND r.started_at <= $2::bigint";
  auto selected = db.Query(
      "WITH started AS (" + lateness + " WHERE r.finished_at >= $1::bigint AND r.state NOT IN ('queued', 'running')" +
          started + " UNION ALL " + lateness + " WHERE r.state = 'running'" + started +
          "), ranked AS (SELECT bucket, lateness,"
          " row_number() OVER (PARTITION BY bucket ORDER BY lateness) AS position,"
          " count(*) OVER (PARTITION BY bucket) AS total FROM started)"
          " SELECT bucket, max(lateness) FILTER (WHERE position = (total * 50 + 99) / 100),"
          " max(lateness) FILTER (WHERE position = (total * 99 + 99) / 100) FROM ranked GROUP BY bucket",
      WindowParams(query));
  if (!selected) return selected.error();
  for (int row = 0; row < selected->rows(); ++row) {
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, selected->Int(row, 0));
    bucket.lateness_p50_ms = selected->OptionalInt(row, 1);
    bucket.lateness_p99_ms = selected->OptionalInt(row, 2);
    stats.buckets.push_back(bucket);
  }
  return core::Ok();
}

// Queued (and of them, late) and running runs now; then the jobs: active,
// paused, due soon, and active with a newest finished run that failed.
core::Result<void> ReadNow(PgConnection& db, const StatsQuery& query, StoreStats& stats) {
  PgParams params;
  params.Add(core::ToUnixMs(query.now - query.late_after)).Add(core::ToUnixMs(query.now + query.due_within));
  if (query.job_namespace) params.Add(*query.job_namespace);
  const std::string scope = Scope(query, "$3");
  auto selected = db.Query(
      "SELECT (SELECT count(*) FROM runs r" + scope + " WHERE r.state = 'queued'), (SELECT count(*) FROM runs r" +
          scope + " WHERE r.state = 'queued' AND coalesce(r.available_at, r.scheduled_for) < $1::bigint)," +
          " (SELECT count(*) FROM runs r" + scope +
          " WHERE r.state = 'running'), count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE NOT is_active),"
          " count(*) FILTER (WHERE is_active AND next_run <= $2::bigint),"
          " count(*) FILTER (WHERE is_active AND (SELECT r.state FROM runs r WHERE r.job_id = jobs.id"
          " AND r.state NOT IN ('queued', 'running') ORDER BY r.id DESC LIMIT 1) IN ('failed', 'timed_out'))"
          " FROM jobs" +
          (query.job_namespace ? " WHERE jobs.namespace = $3::text" : ""),
      params);
  if (!selected) return selected.error();
  if (selected->rows() != 1) return core::Error::Internal("an aggregate answered no row");
  stats.runs[core::RunState::kQueued] = selected->Int(0, 0);
  stats.late_now = selected->Int(0, 1);
  stats.runs[core::RunState::kRunning] = selected->Int(0, 2);
  stats.jobs_active = selected->Int(0, 3);
  stats.jobs_paused = selected->Int(0, 4);
  stats.due_soon = selected->Int(0, 5);
  stats.failing = selected->Int(0, 6);
  return core::Ok();
}

}  // namespace

core::Result<StoreStats> PostgresJobStore::Stats(const StatsQuery& query) {
  return database_->readers().Read<StoreStats>([&query](PgConnection& db) -> core::Result<StoreStats> {
    // One snapshot for every figure.
    if (auto begun = db.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !begun) return begun.error();
    struct Rollback {
      PgConnection& db;
      ~Rollback() {
        if (db.IsHealthy()) (void)db.Execute("ROLLBACK");
      }
    } rollback{db};
    StoreStats stats;
    if (auto read = ReadFinished(db, query, stats); !read) return read.error();
    if (auto read = ReadLateness(db, query, stats); !read) return read.error();
    if (auto read = ReadNow(db, query, stats); !read) return read.error();
    return stats;
  });
}

}  // namespace jobsched::store::postgres
