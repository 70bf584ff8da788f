// Retention for PostgresJobStore: pruning finished runs in small batches, each
// its own short write, so other writes interleave. Several nodes may prune
// at once: each skips the rows another is deleting.
#include <cstdint>
#include <vector>

#include "store/postgres/pg_rows.hpp"
#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {

void PostgresJobStore::PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit,
                                               std::function<void(core::Result<std::size_t>)> done) {
  database_->writer().Submit<std::size_t>(
      [before, limit](PgConnection& db) -> core::Result<std::size_t> {
        // Their attempts go with them (ON DELETE CASCADE).
        auto deleted = db.Query(
            "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE state NOT IN ('queued', 'running') "
            "AND finished_at < $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
            PgParams().Add(core::ToUnixMs(before)).Add(static_cast<std::int64_t>(limit)));
        if (!deleted) return deleted.error();
        return static_cast<std::size_t>(deleted->affected());
      },
      std::move(done));
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

}  // namespace jobsched::store::postgres
