#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/run.hpp"
#include "store/alert_raise.hpp"
#include "store/alert_store.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// The statement's current row, as AlertFromColumns and
// AlertSubjectFromColumns read it.
struct AlertRow {
  const Statement& statement;
  std::optional<std::int64_t> OptionalInt(int column) const { return statement.ColumnOptionalInt(column); }
  std::string Text(int column) const { return statement.ColumnOptionalText(column).value_or(""); }
};

// In the writer's transaction that ended run `run_id` (finished, or skipped
// at fire): reads its job's rule and alert state, decides (core::OnRunEnded)
// and writes the state and any alert rows, adding what was raised to
// `raised`. A job without a rule costs one indexed read. No I/O but the
// database: sending is the sender's job.
core::Result<void> RaiseRunEndAlerts(SqliteConnection& db, core::RunId run_id, std::vector<RaisedAlert>& raised);

// Writes `write` (the state upserted, the alerts inserted, a late alert of
// a run already alerted skipped), adding what was raised to `raised`.
core::Result<void> WriteAlertRows(SqliteConnection& db, const AlertWrite& write, std::vector<RaisedAlert>& raised);

}  // namespace jobsched::store::sqlite
