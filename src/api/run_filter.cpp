#include "api/run_filter.hpp"

#include <string>

#include "core/run.hpp"
#include "core/time.hpp"

namespace jobsched::api {

core::Result<void> SetRunFilter(store::RunListQuery& query, std::string_view member, std::string_view value) {
  if (member == "state") {
    query.state = core::ParseRunState(value);
    if (!query.state) {
      return core::Error::InvalidArgument(
          "state", "state: must be queued, running, succeeded, failed, timed_out, skipped or cancelled");
    }
  } else if (member == "trigger") {
    query.trigger = core::ParseRunTrigger(value);
    if (!query.trigger) return core::Error::InvalidArgument("trigger", "trigger: must be schedule, manual or backfill");
  } else if (member == "scheduled_from" || member == "scheduled_until") {
    auto instant = core::ParseRfc3339(value, member);
    if (!instant) return instant.error();
    (member == "scheduled_from" ? query.scheduled_from : query.scheduled_until) = *instant;
  } else {
    return core::Error::InvalidArgument(std::string(member.substr(0, 64)),
                                        "unknown filter '" + std::string(member.substr(0, 64)) + "'");
  }
  return core::Ok();
}

}  // namespace jobsched::api
