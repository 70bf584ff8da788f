#include "store/bulk_steps.hpp"

#include <algorithm>
#include <utility>

namespace jobsched::store {

std::vector<std::int64_t> OrderedIds(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

core::Result<void> RecordRefusal(BulkOutcome& outcome, std::int64_t id, core::Error error) {
  if (!IsBulkRefusal(error)) return error;
  outcome.failed.push_back(BulkFailure{id, std::move(error)});
  return core::Ok();
}

}  // namespace jobsched::store
