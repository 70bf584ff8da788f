#pragma once

#include <cstdint>
#include <memory>

#include "core/job.hpp"
#include "core/result.hpp"
#include "store/job_cache.hpp"
#include "store/job_snapshot.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// The job with this id as a snapshot, read on `db` with its row_version (migration 0028), decoded
// and kept in `cache` under `ticket`, which the caller took before its read began (JobCache's
// protocol); kNotFound when there is none.
core::Result<std::shared_ptr<const JobSnapshot>> ReadJobSnapshot(SqliteConnection& db, core::JobId id, JobCache& cache,
                                                                 std::uint64_t ticket);

// The job `id` at `row_version`, as a list found it: `cache`'s own snapshot when it holds that
// version, so that a list takes what an earlier read decoded and the API encoded; otherwise read
// through ReadJobSnapshot. Call it while the statement that found the row is still stepping, so
// that the read sees the same database as the list.
core::Result<std::shared_ptr<const JobSnapshot>> JobSnapshotAt(SqliteConnection& db, core::JobId id,
                                                               std::int64_t row_version, JobCache& cache,
                                                               std::uint64_t ticket);

}  // namespace jobsched::store::sqlite
