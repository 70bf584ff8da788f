#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/run.hpp"
#include "store/alert_raise.hpp"
#include "store/alert_store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// One row of a result, as AlertFromColumns and AlertSubjectFromColumns read it.
struct AlertRow {
  const PgResult& result;
  int row;
  std::optional<std::int64_t> OptionalInt(int column) const { return result.OptionalInt(row, column); }
  std::string Text(int column) const { return std::string(result.Text(row, column)); }
};

// In the transaction that ended the runs `run_ids` (finished, or skipped at
// fire): for those whose job has a rule, locks the jobs' alert state rows
// (in job order, created first when missing), decides each outcome in
// order (core::OnRunEnded) and writes the state and any alert rows, adding
// what was raised to `raised`. No I/O but the database.
core::Result<void> RaiseRunEndAlerts(PgConnection& db, const std::vector<core::RunId>& run_ids,
                                     std::vector<RaisedAlert>& raised);

// Writes `write` (the state upserted, the alerts inserted, a late alert of
// a run already alerted skipped), adding what was raised to `raised`.
core::Result<void> WriteAlertRows(PgConnection& db, const AlertWrite& write, std::vector<RaisedAlert>& raised);

}  // namespace jobsched::store::postgres
