#pragma once

#include "core/result.hpp"
#include "core/time.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// Whether some paused job's pause ended at or before `now`: false when no
// paused job has an end; the statement's error when the read fails. What
// the scheduler asks on every pass, on a read connection, before it asks
// the writer to resume any. Defined in postgres_pause.cpp.
core::Result<bool> AnyPauseEnded(PgConnection& db, core::TimePoint now);

}  // namespace jobsched::store::postgres
