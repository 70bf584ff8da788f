#include "store/sqlite/sqlite_job_snapshots.hpp"

#include <string>
#include <utility>

#include "store/row_columns.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {

core::Result<std::shared_ptr<const JobSnapshot>> SnapshotFromRow(const Statement& row, JobCache& cache,
                                                                 std::uint64_t ticket) {
  std::string image;
  image.reserve(1024);
  row.AppendRowImage(image, 0, kJobColumnCount);
  const core::JobId id = row.ColumnInt(0);
  if (auto cached = cache.Find(id); cached && cached->stored_form() == image) return cached;
  auto job = JobFromRow(row);
  if (!job) return job.error();
  auto snapshot = std::make_shared<const JobSnapshot>(std::move(*job), std::move(image));
  cache.Keep(snapshot, ticket);
  return snapshot;
}

core::Result<std::shared_ptr<const JobSnapshot>> ReadJobSnapshot(SqliteConnection& db, core::JobId id, JobCache& cache,
                                                                 std::uint64_t ticket) {
  auto row = SelectJob(db, id);
  if (!row) return row.error();
  return SnapshotFromRow(**row, cache, ticket);
}

}  // namespace jobsched::store::sqlite
