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
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_writer.hpp"

// Writes the single-job operations and the bulk ones (postgres_bulk.cpp)
// share, so both keep the same rules. Each runs inside the caller's
// transaction on the writer's connection and queues its notifications
// (events, wake-ups), which PostgreSQL sends when that transaction commits.
namespace jobsched::store::postgres {

// Writes `job` over the row read (and locked) at `read_version`
// (postgres_job_store.cpp); JobNameTaken for a name its namespace already has.
core::Result<core::Job> WriteJob(PgConnection& db, const core::Job& job, std::int64_t read_version);

// Retention's batch, as one write of `writer`: runs `sql`, a DELETE of at
// most $2 rows older than $1 (`bound`), and answers how many went
// (postgres_retention.cpp).
void SubmitDeleteBatch(PgWriter& writer, std::string sql, core::TimePoint bound, std::size_t limit,
                       std::function<void(core::Result<std::size_t>)> done);

// Inserts `entry` into audit_log in the caller's transaction; nothing for
// nullopt (postgres_audit.cpp).
core::Result<void> InsertAudit(PgConnection& db, const std::optional<core::AuditEntry>& entry);

// Queues a manual run of `job`, locked by the caller, with TriggerJob's rules:
// at most `max_runs` a minute (0: no quota), none beside an unfinished one
// under overlap skip (postgres_job_store_runs.cpp).
core::Result<core::Run> QueueManualRun(PgConnection& db, const core::Job& job, core::TimePoint now,
                                       std::size_t max_runs);

// Cancels the unfinished run `run_id`, locked by the caller: a queued one
// ends cancelled, a running one is marked for its executor to stop. Answers
// the run after the change.
core::Result<core::Run> RequestCancel(PgConnection& db, core::RunId run_id, core::TimePoint now);

}  // namespace jobsched::store::postgres
