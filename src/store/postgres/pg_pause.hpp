#pragma once

#include "core/result.hpp"
#include "core/time.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// Whether some paused job's pause ended at or before `now`: what the
// scheduler asks on every pass, before it asks the writer to resume any.
// It reads the earliest pause end through paused_until's index, never jobs
// whole. Asked as "does any pause end by now", PostgreSQL read the table
// whole while it had no statistics for it, and under the scheduler's
// updates jobs holds many times more dead rows than live ones: in
// bench/cluster.sh's steady mode, 0.3 ms a pass, 2.1 of the 27 seconds
// PostgreSQL worked in 20 s.
core::Result<bool> AnyPauseEnded(PgConnection& db, core::TimePoint now);

}  // namespace jobsched::store::postgres
