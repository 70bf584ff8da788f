#pragma once

#include <cstddef>
#include <string>

#include "core/job.hpp"
#include "core/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// The operator's quotas (StoreLimits) in PostgreSQL, checked inside the
// writer's transaction on `db`. 0 checks nothing.

// Refuses a new job of `job_namespace` that has `max_jobs` already. Takes a
// transaction-level advisory lock on the namespace first, so creates in one
// namespace from several nodes take turns and the count stays exact.
core::Result<void> CheckNamespaceRoom(PgConnection& db, const std::string& job_namespace, std::size_t max_jobs);

// Refuses a run of `job_id` that has had `max_runs` created in the minute
// before `now`. The caller holds the job's row lock (FOR UPDATE), which
// serialises the runs of one job across nodes.
core::Result<void> CheckRunQuota(PgConnection& db, core::JobId job_id, core::TimePoint now, std::size_t max_runs);

}  // namespace jobsched::store::postgres
