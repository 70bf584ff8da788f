#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/row_columns.hpp"

namespace jobsched::store::postgres {

// Reads row `row` of a result selected with kJobColumns (kRunColumns),
// starting at column `first`. A corrupt row (unknown schedule, undecodable
// task) is kInternal.
core::Result<core::Job> JobFromRow(const PgResult& result, int row, int first = 0);
core::Result<core::Run> RunFromRow(const PgResult& result, int row, int first = 0);

// How ReadJob and ReadRun lock the row they read for the rest of the
// writer's transaction, so that another node's change waits for ours instead
// of slipping in between our read and our write.
enum class RowLock {
  kNone,
  kForUpdate,  // FOR NO KEY UPDATE: the id stays, so rows referring to it may still be inserted
  kForDelete,  // FOR UPDATE
};

// The job (run) with this id, read on `db`; kNotFound when there is none.
core::Result<core::Job> ReadJob(PgConnection& db, core::JobId id, RowLock lock);
core::Result<core::Run> ReadRun(PgConnection& db, core::RunId id, RowLock lock);

// Every row of `result`, read with `read` (JobFromRow, RunFromRow). Stops at
// the first error.
template <typename T>
core::Result<std::vector<T>> CollectRows(const PgResult& result, core::Result<T> (*read)(const PgResult&, int, int)) {
  std::vector<T> rows;
  rows.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    auto value = read(result, row, 0);
    if (!value) return value.error();
    rows.push_back(std::move(value).value());
  }
  return rows;
}

}  // namespace jobsched::store::postgres
