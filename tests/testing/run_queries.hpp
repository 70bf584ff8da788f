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

#include <string>

#include "store/run_queue.hpp"
#include "store/wait.hpp"

namespace jobsched::testing {

// Calls an asynchronous store method and waits for its answer (store/wait.hpp).
using store::Wait;

// A manual run of `job` triggered, claimed by `owner` and finished
// (succeeded) at `at`; its id. `store` is both the JobStore and the RunQueue.
template <typename Store>
core::RunId FinishedRunAt(Store& store, core::JobId job, core::TimePoint at, const std::string& owner = "node-a") {
  auto run = Wait<core::Run>([&](auto done) { store.TriggerJob(job, at, std::move(done)); });
  if (!run) return 0;
  auto claimed = Wait<std::vector<store::ClaimedRun>>(
      [&](auto done) { store.ClaimRuns(owner, 1000, at, at + std::chrono::seconds{30}, std::move(done)); });
  if (!claimed) return 0;
  store::RunCompletion completion;
  completion.run_id = run->id;
  completion.finished_at = at;
  if (!Wait<void>([&](auto done) { store.FinishRun(owner, completion, std::move(done)); })) return 0;
  return run->id;
}

}  // namespace jobsched::testing
