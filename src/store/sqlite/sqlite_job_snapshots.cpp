#include "store/sqlite/sqlite_job_snapshots.hpp"

#include <string>
#include <utility>

#include "store/row_columns.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {

core::Result<std::shared_ptr<const JobSnapshot>> ReadJobSnapshot(SqliteConnection& db, core::JobId id, JobCache& cache,
                                                                 std::uint64_t ticket) {
  auto selected = SelectJob(db, id);
  if (!selected) return selected.error();
  const Statement& row = **selected;
  auto job = JobFromRow(row);
  if (!job) return job.error();
  auto snapshot = std::make_shared<const JobSnapshot>(std::move(*job), row.ColumnInt(kJobColumnCount));
  cache.Keep(snapshot, ticket);
  return snapshot;
}

core::Result<std::shared_ptr<const JobSnapshot>> JobSnapshotAt(SqliteConnection& db, core::JobId id,
                                                               std::int64_t row_version, JobCache& cache,
                                                               std::uint64_t ticket) {
  if (auto cached = cache.Find(id); cached && cached->row_version() == row_version) return cached;
  return ReadJobSnapshot(db, id, cache, ticket);
}

}  // namespace jobsched::store::sqlite
