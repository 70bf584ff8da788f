// Retention for SqliteJobStore: pruning finished runs in small batches, each
// its own short write transaction, so the scheduler's writes interleave.
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {
namespace {

// The id of the job's (keep+1)-th newest finished run: the newest that goes.
// No index holds finished runs by job (0014 dropped it, for the WAL's sake),
// so it is found from two that exist, without reading a run row: the run at
// position p (newest first) of runs_by_job is that run when exactly `keep`
// of the runs above it are finished, i.e. when p = keep + the unfinished runs
// from it up (runs_unfinished_by_job, a handful). Starting at p = keep and
// moving p there only ever moves down to it, in one step per unfinished run
// in the way at most.
core::Result<std::optional<core::RunId>> NewestFinishedBeyond(SqliteConnection& db, core::JobId job,
                                                              std::int64_t keep) {
  auto at = db.Cached("SELECT id FROM runs WHERE job_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?");
  if (!at) return at.error();
  auto unfinished = db.Cached(
      "SELECT count(*) FROM runs INDEXED BY runs_unfinished_by_job "
      "WHERE job_id = ? AND (state = 'queued' OR state = 'running') AND id >= ?");
  if (!unfinished) return unfinished.error();
  std::int64_t position = keep;
  for (int step = 0; step < 64; ++step) {
    (*at)->Reset().Bind(1, job).Bind(2, position);
    auto row = (*at)->Step();
    if (!row) return row.error();
    if (!*row) return std::optional<core::RunId>{};  // fewer than keep + 1 finished runs
    const core::RunId candidate = (*at)->ColumnInt(0);
    (*unfinished)->Reset().Bind(1, job).Bind(2, candidate);
    auto counted = (*unfinished)->Step();
    if (!counted) return counted.error();
    const std::int64_t next = keep + (*unfinished)->ColumnInt(0);
    if (next == position) return std::optional<core::RunId>{candidate};
    position = next;
  }
  return std::optional<core::RunId>{};  // a job with that many unfinished runs: next pass
}

}  // namespace

void SubmitDeleteBatch(SqliteWriter& writer, std::string sql, core::TimePoint bound, std::size_t limit,
                       std::function<void(core::Result<std::size_t>)> done) {
  writer.Submit<std::size_t>(
      [sql = std::move(sql), bound, limit](SqliteConnection& db) -> core::Result<std::size_t> {
        auto remove = db.Cached(sql);
        if (!remove) return remove.error();
        (*remove)->Bind(1, core::ToUnixMs(bound)).Bind(2, static_cast<std::int64_t>(limit));
        if (auto ran = (*remove)->Run(); !ran) return ran.error();
        return static_cast<std::size_t>(db.Changes());
      },
      std::move(done));
}

void SqliteJobStore::PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit,
                                             std::function<void(core::Result<std::size_t>)> done) {
  SubmitDeleteBatch(*writer_,
                    "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE state <> 'queued' AND "
                    "state <> 'running' AND finished_at < ?1 ORDER BY finished_at LIMIT ?2)",
                    before, limit, std::move(done));
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

        auto remove = db.Cached(
            "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE job_id = ?1 AND state <> 'queued' "
            "AND state <> 'running' AND id <= ?2 ORDER BY id LIMIT ?3)");
        if (!remove) return remove.error();

        PruneResult result;
        for (const core::JobId id : ids) {
          if (result.deleted >= limit) break;
          auto newest_to_go = NewestFinishedBeyond(db, id, static_cast<std::int64_t>(keep));
          if (!newest_to_go) return newest_to_go.error();
          if (*newest_to_go) {
            (*remove)
                ->Reset()
                .Bind(1, id)
                .Bind(2, **newest_to_go)
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

// Each namespace's rows of a width are one range of the primary key (width,
// namespace, bucket, ...); the namespaces are those of run_stats' 2-hour
// rows, which go last, so a pass cut short by `limit` leaves them for the next.
void SqliteJobStore::PruneRunRollupsBefore(core::TimePoint before, std::size_t limit,
                                           std::function<void(core::Result<std::size_t>)> done) {
  writer_->Submit<std::size_t>(
      [before, limit](SqliteConnection& db) -> core::Result<std::size_t> {
        static const char* const kDeletes[] = {
            "DELETE FROM run_lateness WHERE (width, namespace, bucket, shard, value) IN (SELECT l.width, l.namespace, "
            "l.bucket, l.shard, l.value FROM (SELECT DISTINCT namespace FROM run_stats WHERE width = 7200000) n "
            "JOIN run_lateness l ON l.width = ?1 AND l.namespace = n.namespace AND l.bucket < ?2 LIMIT ?3)",
            "DELETE FROM run_stats WHERE (width, namespace, bucket, shard) IN (SELECT s.width, s.namespace, s.bucket, "
            "s.shard FROM (SELECT DISTINCT namespace FROM run_stats WHERE width = 7200000) n "
            "JOIN run_stats s ON s.width = ?1 AND s.namespace = n.namespace AND s.bucket < ?2 LIMIT ?3)"};
        std::size_t deleted = 0;
        for (const char* sql : kDeletes) {
          for (const std::int64_t width : {60'000, 900'000, 7'200'000}) {
            if (deleted >= limit) return deleted;
            auto remove = db.Cached(sql);
            if (!remove) return remove.error();
            (*remove)
                ->Bind(1, width)
                .Bind(2, core::ToUnixMs(before))
                .Bind(3, static_cast<std::int64_t>(limit - deleted));
            if (auto ran = (*remove)->Run(); !ran) return ran.error();
            deleted += static_cast<std::size_t>(db.Changes());
          }
        }
        return deleted;
      },
      std::move(done));
}

}  // namespace jobsched::store::sqlite
