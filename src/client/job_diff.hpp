#pragma once

// Comparing a job as a file (or an editor) wants it with the job as stored,
// and saying what would change, for `apply`, `diff`, `job edit` and dry runs.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "client/output.hpp"

namespace jobsched::client {

// The members a job file may give (those of a create request), in the order
// the API writes a job.
const std::vector<std::string>& JobFileMembers();

// Whether `member` is part of a job's schedule (interval, every, cron,
// timezone, at, start_at, end_at): changed together, as one.
bool IsScheduleMember(std::string_view member);

// The merge patch (RFC 7396) that makes a stored job what `desired` (a
// create request: a job file's entry) says: every member it gives, and for
// those it leaves out their default: timeout 1m, misfire run_once,
// catchup_window 1h, overlap skip, jitter 0s; null for task, start_at,
// end_at, retry and labels (a file without labels wants none); timezone UTC for cron. is_active only when given (a
// job paused by hand stays paused), never namespace (jobs do not move).
boost::json::object FullPatch(const boost::json::object& desired);

// The part of `full` (a FullPatch) that `changed` (member names, as a dry
// run lists them) needs: those members, where any schedule member brings
// the whole schedule (its field, timezone, start_at and end_at), since a
// patch that sets one schedule field replaces the schedule.
boost::json::object MinimalPatch(const boost::json::object& full, const std::vector<std::string>& changed);

// "    every: 15m -> 5m" lines for each member of `changed` (before from
// `before`, after from `after`, "-" for absent or null), in that order.
std::string DescribeChanges(const boost::json::object& before, const boost::json::object& after,
                            const std::vector<std::string>& changed, std::string_view indent);

// A dry run's answer for a person: "would pause job 3 (default/report)" and
// the changes it lists.
std::string DescribeDryRun(const boost::json::object& dry_run, const TableStyle& style);

}  // namespace jobsched::client
