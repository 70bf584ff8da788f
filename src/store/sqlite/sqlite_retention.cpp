// Retention for SqliteJobStore: pruning finished runs in small batches, each
// its own short write transaction, so the scheduler's writes interleave.
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {

void SqliteJobStore::PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit,
                                             std::function<void(core::Result<std::size_t>)> done) {
  writer_->Submit<std::size_t>(
      [before, limit](SqliteConnection& db) -> core::Result<std::size_t> {
        auto remove = db.Cached(
            "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE state <> 'queued' AND state <> 'running' "
            "AND finished_at < ?1 ORDER BY finished_at LIMIT ?2)");
        if (!remove) return remove.error();
        (*remove)->Bind(1, core::ToUnixMs(before)).Bind(2, static_cast<std::int64_t>(limit));
        if (auto ran = (*remove)->Run(); !ran) return ran.error();
        return static_cast<std::size_t>(db.Changes());
      },
      std::move(done));
}

void SqliteJobStore::PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit, std::size_t limit,
                                     std::function<void(core::Result<PruneResult>)> done) {
  writer_->Submit<PruneResult>(
      [keep, after_job, job_limit, limit](SqliteConnection& db) -> core::Result<PruneResult> {
        auto jobs = db.Cached("SELECT id FROM jobs WHERE id > ? ORDER BY id LIMIT ?");
        if (!jobs) return jobs.error();
        (*jobs)->Bind(1, after_job).Bind(2, static_cast<std::int64_t>(job_limit));
        std::vector<core::JobId> ids;
        for (;;) {
          auto row = (*jobs)->Step();
          if (!row) return row.error();
          if (!*row) break;
          ids.push_back((*jobs)->ColumnInt(0));
        }
        (*jobs)->Reset();

        // The newest finished run that goes: the (keep+1)-th newest, read
        // from the index of finished runs alone.
        auto cutoff = db.Cached(
            "SELECT id FROM runs WHERE job_id = ? AND state <> 'queued' AND state <> 'running' "
            "ORDER BY id DESC LIMIT 1 OFFSET ?");
        if (!cutoff) return cutoff.error();
        auto remove = db.Cached(
            "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE job_id = ?1 AND state <> 'queued' "
            "AND state <> 'running' AND id <= ?2 ORDER BY id LIMIT ?3)");
        if (!remove) return remove.error();

        PruneResult result;
        for (const core::JobId id : ids) {
          if (result.deleted >= limit) break;
          (*cutoff)->Reset().Bind(1, id).Bind(2, static_cast<std::int64_t>(keep));
          auto row = (*cutoff)->Step();
          if (!row) return row.error();
          std::optional<core::RunId> newest_to_go;
          if (*row) newest_to_go = (*cutoff)->ColumnInt(0);
          (*cutoff)->Reset();
          if (newest_to_go) {
            (*remove)
                ->Reset()
                .Bind(1, id)
                .Bind(2, *newest_to_go)
                .Bind(3, static_cast<std::int64_t>(limit - result.deleted));
            if (auto ran = (*remove)->Run(); !ran) return ran.error();
            result.deleted += static_cast<std::size_t>(db.Changes());
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

}  // namespace jobsched::store::sqlite
