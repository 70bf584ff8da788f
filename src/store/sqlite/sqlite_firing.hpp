#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "store/change_feed.hpp"
#include "store/job_store.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// The job's oldest run that is queued or running, if any. INDEXED BY: runs_by_job
// would serve the same order, through the job's whole history (migration 0014).
core::Result<std::optional<core::RunId>> UnfinishedRunOf(SqliteConnection& db, core::JobId job_id);

// Fires up to `limit` jobs due at `now`, inside the writer's transaction:
// for each, the runs its plan asks for (the unique index on (job,
// scheduled_for) makes a second firing of an occurrence impossible), the
// occurrences it skips, and its next_run moved on with a compare on the old
// one. Adds each fired job to `touched` (for the job cache) and an event per
// run made and per job moved to `events` (published after the commit).
core::Result<FireResult> FireDue(SqliteConnection& db, core::TimePoint now, std::size_t limit,
                                 const FirePlanner& planner, std::vector<core::JobId>& touched,
                                 std::vector<StoreChange>& events);

}  // namespace jobsched::store::sqlite
