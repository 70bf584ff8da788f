#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "store/row_columns.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// Reads a row selected with kJobColumns (kRunColumns), starting at column
// `first`. A corrupt row (unknown schedule, undecodable task) is kInternal.
core::Result<core::Job> JobFromRow(const Statement& row, int first = 0);
core::Result<core::Run> RunFromRow(const Statement& row, int first = 0);

// The row of the job with this id, selected with kJobColumns and then row_version (migration
// 0028, column kJobColumnCount), and stepped onto; kNotFound when there is none.
core::Result<StatementUse> SelectJob(SqliteConnection& db, core::JobId id);

// The job (run) with this id, read on `db`; kNotFound when there is none.
core::Result<core::Job> ReadJob(SqliteConnection& db, core::JobId id);
core::Result<core::Run> ReadRun(SqliteConnection& db, core::RunId id);

// Steps `statement` to the end, reading each row with `read` (JobFromRow,
// RunFromRow). Stops at the first error.
template <typename T>
core::Result<std::vector<T>> CollectRows(Statement& statement, core::Result<T> (*read)(const Statement&, int)) {
  std::vector<T> rows;
  for (;;) {
    auto row = statement.Step();
    if (!row) return row.error();
    if (!*row) return rows;
    auto value = read(statement, 0);
    if (!value) return value.error();
    rows.push_back(std::move(value).value());
  }
}

}  // namespace jobsched::store::sqlite
