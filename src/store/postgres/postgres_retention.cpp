// Retention for PostgresJobStore: pruning finished runs in small batches, each
// its own short write, so other writes interleave. Several nodes may prune
// at once: each skips the rows another is deleting.
#include <cstdint>
#include <vector>

#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"
#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {

void SubmitDeleteBatch(PgWriter& writer, std::string sql, core::TimePoint bound, std::size_t limit,
                       std::function<void(core::Result<std::size_t>)> done) {
  writer.Submit<std::size_t>(
      [sql = std::move(sql), bound, limit](PgConnection& db) -> core::Result<std::size_t> {
        auto deleted = db.Query(sql, PgParams().Add(core::ToUnixMs(bound)).Add(static_cast<std::int64_t>(limit)));
        if (!deleted) return deleted.error();
        return static_cast<std::size_t>(deleted->affected());
      },
      std::move(done));
}

// Their attempts go with them (ON DELETE CASCADE).
void PostgresJobStore::PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit,
                                               std::function<void(core::Result<std::size_t>)> done) {
  SubmitDeleteBatch(database_->writer(),
                    "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE state NOT IN ('queued', 'running') "
                    "AND finished_at < $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
                    before, limit, std::move(done));
}

void PostgresJobStore::PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit,
                                       std::size_t limit, std::function<void(core::Result<PruneResult>)> done) {
  database_->writer().Submit<PruneResult>(
      [keep, after_job, job_limit, limit](PgConnection& db) -> core::Result<PruneResult> {
        auto jobs = db.Query("SELECT id FROM jobs WHERE id > $1 ORDER BY id LIMIT $2",
                             PgParams().Add(after_job).Add(static_cast<std::int64_t>(job_limit)));
        if (!jobs) return jobs.error();
        std::vector<core::JobId> ids;
        for (int row = 0; row < jobs->rows(); ++row) ids.push_back(jobs->Int(row, 0));

        PruneResult result;
        for (const core::JobId id : ids) {
          if (result.deleted >= limit) break;
          // The newest finished run that goes: the (keep+1)-th newest, read
          // from the index of finished runs alone.
          auto cutoff = db.Query(
              "SELECT id FROM runs WHERE job_id = $1 AND state NOT IN ('queued', 'running') "
              "ORDER BY id DESC LIMIT 1 OFFSET $2",
              PgParams().Add(id).Add(static_cast<std::int64_t>(keep)));
          if (!cutoff) return cutoff.error();
          if (cutoff->rows() > 0) {
            auto deleted = db.Query(
                "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE job_id = $1 "
                "AND state NOT IN ('queued', 'running') AND id <= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)",
                PgParams().Add(id).Add(cutoff->Int(0, 0)).Add(static_cast<std::int64_t>(limit - result.deleted)));
            if (!deleted) return deleted.error();
            result.deleted += static_cast<std::size_t>(deleted->affected());
            // Stopped inside this job (the limit): look at it again next time.
            if (result.deleted >= limit) {
              result.last_job = id - 1;
              return result;
            }
          }
          result.last_job = id;
        }
        if (ids.size() < job_limit) result.last_job.reset();
        return result;
      },
      std::move(done));
}

// Each namespace's rows of a width are one range of the primary key (width,
// namespace, bucket, ...); the namespaces are those of run_stats' 2-hour
// rows, which go last, so a pass cut short by `limit` leaves them for the
// next. Rows another node is deleting are skipped.
void PostgresJobStore::PruneRunRollupsBefore(core::TimePoint before, std::size_t limit,
                                             std::function<void(core::Result<std::size_t>)> done) {
  database_->writer().Submit<std::size_t>(
      [before, limit](PgConnection& db) -> core::Result<std::size_t> {
        static const char* const kDeletes[] = {
            "DELETE FROM run_lateness WHERE (width, namespace, bucket, shard, value) IN (SELECT l.width, l.namespace, "
            "l.bucket, l.shard, l.value FROM (SELECT DISTINCT namespace FROM run_stats WHERE width = 7200000) n "
            "JOIN run_lateness l ON l.width = $1 AND l.namespace = n.namespace AND l.bucket < $2 LIMIT $3 "
            "FOR UPDATE OF l SKIP LOCKED)",
            "DELETE FROM run_stats WHERE (width, namespace, bucket, shard) IN (SELECT s.width, s.namespace, s.bucket, "
            "s.shard FROM (SELECT DISTINCT namespace FROM run_stats WHERE width = 7200000) n "
            "JOIN run_stats s ON s.width = $1 AND s.namespace = n.namespace AND s.bucket < $2 LIMIT $3 "
            "FOR UPDATE OF s SKIP LOCKED)"};
        std::size_t deleted = 0;
        for (const char* sql : kDeletes) {
          for (const std::int64_t width : {60'000, 900'000, 7'200'000}) {
            if (deleted >= limit) return deleted;
            auto removed = db.Query(
                sql, PgParams().Add(width).Add(core::ToUnixMs(before)).Add(static_cast<std::int64_t>(limit - deleted)));
            if (!removed) return removed.error();
            deleted += static_cast<std::size_t>(removed->affected());
          }
        }
        return deleted;
      },
      std::move(done));
}

}  // namespace jobsched::store::postgres
