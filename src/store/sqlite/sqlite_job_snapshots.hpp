#pragma once

#include <cstdint>
#include <memory>

#include "core/job.hpp"
#include "core/result.hpp"
#include "store/job_cache.hpp"
#include "store/job_snapshot.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// The job of `row` (selected with kJobColumns) as a snapshot: `cache`'s own when it holds this
// very row, byte for byte (JobSnapshot::stored_form), so that a list takes what an earlier read
// decoded and the API encoded; otherwise decoded now and kept under `ticket`, which the caller
// took before its read began (JobCache's protocol).
core::Result<std::shared_ptr<const JobSnapshot>> SnapshotFromRow(const Statement& row, JobCache& cache,
                                                                 std::uint64_t ticket);

// The job with this id, read on `db` through SnapshotFromRow; kNotFound when there is none.
core::Result<std::shared_ptr<const JobSnapshot>> ReadJobSnapshot(SqliteConnection& db, core::JobId id, JobCache& cache,
                                                                 std::uint64_t ticket);

}  // namespace jobsched::store::sqlite
