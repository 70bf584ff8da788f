#pragma once

#include <cstddef>
#include <optional>

#include "store/job_store.hpp"

namespace jobsched::testing {

// The run history of one job, newest first: `limit` runs before `before_id`.
inline store::RunListQuery JobRuns(core::JobId job_id, std::size_t limit,
                                   std::optional<core::RunId> before_id = std::nullopt) {
  store::RunListQuery query;
  query.job_id = job_id;
  query.limit = limit;
  query.before_id = before_id;
  return query;
}

}  // namespace jobsched::testing
