#pragma once

#include <cstddef>

#include "core/result.hpp"
#include "core/time.hpp"
#include "store/alert_store.hpp"
#include "store/job_store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// The body of PostgresJobStore::FireDueJobs, run inside the writer's
// transaction: locks up to `limit` active jobs due at `now` (skipping those
// another node is firing), inserts the runs `planner` asks for (an
// occurrence that already has a run is skipped, never doubled) and advances
// next_run / last_run only where next_run still holds the value read.
// Alerts of skipped occurrences are raised in the same transaction and
// added to `raised`.
core::Result<FireResult> FireDue(PgConnection& db, core::TimePoint now, std::size_t limit, const FirePlanner& planner,
                                 std::vector<RaisedAlert>& raised);

}  // namespace jobsched::store::postgres
