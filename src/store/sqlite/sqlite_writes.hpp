#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/audit_entry.hpp"
#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "core/time.hpp"
#include "store/change_feed.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_writer.hpp"

// Writes the single-job operations and the bulk ones (sqlite_bulk.cpp)
// share, so both keep the same rules. Writer thread only.
namespace jobsched::store::sqlite {

// Writes `job` over the row read at `read_version` (sqlite_job_store.cpp);
// JobNameTaken for a name its namespace already has.
core::Result<core::Job> WriteJob(SqliteConnection& db, const core::Job& job, std::int64_t read_version);

// Cancels the unfinished run `run_id`: a queued one ends cancelled, a running
// one is marked for its executor to stop. Answers the run after the change
// (sqlite_job_store_runs.cpp).
core::Result<core::Run> RequestCancel(SqliteConnection& db, core::RunId run_id, core::TimePoint now);

// Retention's batch, as one write of `writer`: runs `sql`, a DELETE of at
// most ?2 rows older than ?1 (`bound`), and answers how many went
// (sqlite_retention.cpp).
void SubmitDeleteBatch(SqliteWriter& writer, std::string sql, core::TimePoint bound, std::size_t limit,
                       std::function<void(core::Result<std::size_t>)> done);

// Moves the jobs created in this transaction into the name search (FTS5
// jobs_search): the writer's last step before COMMIT (migration 0027,
// sqlite_search_index.cpp).
core::Result<void> IndexNewJobs(SqliteConnection& db);

// Inserts `entry` into audit_log, in the caller's transaction; nothing for
// nullopt (sqlite_audit.cpp).
core::Result<void> InsertAudit(SqliteConnection& db, const std::optional<core::AuditEntry>& entry);

// The event of a run RequestCancel changed: finished, or updated while it stops.
StoreChange CancelEvent(const core::Run& run);

}  // namespace jobsched::store::sqlite
