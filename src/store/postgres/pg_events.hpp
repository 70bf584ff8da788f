#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/change_feed.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// The channel that carries job and run events (StoreChange kJob, kRun) to
// every node, for their event streams. One notification holds many events
// (a firing of 512 jobs is one or two notifications, not 512):
//   J<a>,<job id>,<namespace>              a: c created, u updated, d deleted
//   R<a>,<run id>,<job id>,<state>         a: q queued, s started, f finished, u updated
// separated by ';'. Namespaces and states never hold ',' or ';'.
inline constexpr std::string_view kEventsChannel = "jobsched_events";

// PostgreSQL refuses a payload of 8000 bytes or more; each text is shorter.
std::vector<std::string> EncodeEvents(const std::vector<StoreChange>& changes);

// The events of one payload; what it cannot read it skips.
std::vector<StoreChange> DecodeEvents(std::string_view payload);

// Sends `changes` on kEventsChannel from inside the current transaction
// (delivered only if it commits; a rolled-back savepoint takes its own back).
core::Result<void> NotifyEvents(PgConnection& db, const std::vector<StoreChange>& changes);

}  // namespace jobsched::store::postgres
