// The console's overview for PostgresJobStore (GET /stats): the statements
// of sqlite_stats.cpp in PostgreSQL's dialect: the window's runs from the
// roll-ups (run_stats, run_lateness, summed over their shards), the failing
// jobs from failing_jobs, the rest over the existing indexes (runs_queued,
// runs_running), in one read-only snapshot.
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {
namespace {

// " JOIN jobs ..." keeping the runs of the namespace `parameter`, or nothing.
std::string Scope(const StatsQuery& query, const std::string& parameter) {
  return query.job_namespace ? " JOIN jobs j ON j.id = r.job_id AND j.namespace = " + parameter + "::text" : "";
}

// $1 from, $2 to, $3 bucket width, $4 the namespace ('' for every one: the
// roll-ups count each run in its namespace and in '').
PgParams WindowParams(const StatsQuery& query) {
  PgParams params;
  params.Add(core::ToUnixMs(query.from)).Add(core::ToUnixMs(query.to)).Add(std::int64_t{query.bucket_width.count()});
  params.Add(query.job_namespace.value_or(""));
  return params;
}

// The roll-up rows of the window's buckets, all shards: one range of the
// primary key (width, namespace, bucket, ...).
const char* const kRollupWhere =
    " WHERE width = $3::bigint AND namespace = $4::text AND bucket >= $1::bigint AND bucket <= $2::bigint";

core::TimePoint BucketAt(const StatsQuery& query, std::int64_t bucket) {
  return query.from + query.bucket_width * bucket;
}

// Runs that ended in each bucket of the window, by state.
core::Result<void> ReadFinished(PgConnection& db, const StatsQuery& query, StoreStats& stats) {
  auto selected = db.Query(
      "SELECT (bucket - $1::bigint) / $3::bigint, sum(succeeded), sum(failed), sum(timed_out), sum(skipped),"
      " sum(cancelled) FROM run_stats" +
          std::string(kRollupWhere) + " GROUP BY bucket",
      WindowParams(query));
  if (!selected) return selected.error();
  constexpr core::RunState kStates[] = {core::RunState::kSucceeded, core::RunState::kFailed, core::RunState::kTimedOut,
                                        core::RunState::kSkipped, core::RunState::kCancelled};
  for (int row = 0; row < selected->rows(); ++row) {
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, selected->Int(row, 0));
    for (int column = 0; column < 5; ++column) {
      const std::int64_t count = selected->Int(row, column + 1);
      if (count == 0) continue;
      const core::RunState state = kStates[column];
      stats.runs[state] += count;
      bucket.runs += count;
      if (state == core::RunState::kFailed || state == core::RunState::kTimedOut) bucket.failed += count;
    }
    if (bucket.runs > 0) stats.buckets.push_back(bucket);
  }
  return core::Ok();
}

// How many runs started in each bucket at each (rounded) lateness, turned
// into each bucket's percentiles by core::PercentilesOf, as on SQLite.
core::Result<void> ReadLateness(PgConnection& db, const StatsQuery& query, StoreStats& stats) {
  auto selected =
      db.Query("SELECT (bucket - $1::bigint) / $3::bigint AS position, value, sum(count) FROM run_lateness" +
                   std::string(kRollupWhere) + " GROUP BY position, value ORDER BY position",
               WindowParams(query));
  if (!selected) return selected.error();
  std::vector<core::LatenessCount> histogram;
  for (int row = 0; row < selected->rows(); ++row) {
    const std::int64_t position = selected->Int(row, 0);
    histogram.push_back({selected->Int(row, 1), selected->Int(row, 2)});
    if (row + 1 < selected->rows() && selected->Int(row + 1, 0) == position) continue;
    const core::LatenessPercentiles percentiles = core::PercentilesOf(std::move(histogram));
    histogram.clear();
    if (!percentiles.p50_ms) continue;
    core::StatsBucket bucket;
    bucket.at = BucketAt(query, position);
    bucket.lateness_p50_ms = percentiles.p50_ms;
    bucket.lateness_p99_ms = percentiles.p99_ms;
    stats.buckets.push_back(bucket);
  }
  return core::Ok();
}

// Queued (and of them, late) and running runs now; then the jobs: active and
// paused (job_counts, which 0024's trigger keeps), due soon (jobs_due), and
// active with a newest finished run that failed (failing_jobs, kept by 0021's).
core::Result<void> ReadNow(PgConnection& db, const StatsQuery& query, StoreStats& stats) {
  PgParams params;
  params.Add(core::ToUnixMs(query.now - query.late_after)).Add(core::ToUnixMs(query.now + query.due_within));
  if (query.job_namespace) params.Add(*query.job_namespace);
  const std::string scope = Scope(query, "$3");
  const std::string in_namespace = query.job_namespace ? " AND namespace = $3::text" : "";
  auto selected = db.Query(
      "SELECT (SELECT count(*) FROM runs r" + scope + " WHERE r.state = 'queued'), (SELECT count(*) FROM runs r" +
          scope + " WHERE r.state = 'queued' AND coalesce(r.available_at, r.scheduled_for) < $1::bigint)," +
          " (SELECT count(*) FROM runs r" + scope +
          " WHERE r.state = 'running'), (SELECT coalesce(sum(active), 0) FROM job_counts WHERE true" + in_namespace +
          "), (SELECT coalesce(sum(paused), 0) FROM job_counts WHERE true" + in_namespace +
          "), (SELECT count(*) FROM jobs WHERE is_active AND next_run <= $2::bigint" + in_namespace +
          "), (SELECT count(*) FROM failing_jobs f JOIN jobs fj ON fj.id = f.job_id AND fj.is_active" +
          (query.job_namespace ? " AND fj.namespace = $3::text" : "") + ")",
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
  if (!core::IsRollupBucketing(query.from, query.bucket_width)) {
    return core::Error::InvalidArgument("bucket_width", kNotRollupBucketing);
  }
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
