#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "core/task.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// A node whose heartbeat stopped this long ago is forgotten (its nodes row
// deleted) by RequeueAbandonedRuns.
inline constexpr core::Milliseconds kForgetSilentNodesAfter{24LL * 3600 * 1000};

// A run handed to an executor, with what it needs of its job.
struct ClaimedRun {
  core::Run run;
  std::string job_name;
  std::optional<core::Task> task;  // nullopt: the job has none; its name decides (the original's way)
  core::Milliseconds timeout{core::kDefaultJobTimeout};
  core::RetryPolicy retry;
};

// How a run attempt ended, as the executor reports it.
struct RunCompletion {
  core::RunId run_id = 0;
  core::RunState state = core::RunState::kSucceeded;  // a terminal state
  core::TimePoint finished_at;
  std::string output;  // cut to core::kMaxRunOutputBytes by the store
  std::string error;
};

// The queue of runs waiting to execute, with leases: a claimed run belongs to
// one owner (a process) until it finishes or its lease expires. Every method
// is safe to call from any thread; writes answer after their commit.
class RunQueue {
 public:
  virtual ~RunQueue() = default;

  // What each write answers with, after its commit.
  using WriteDone = std::function<void(core::Result<void>)>;
  using ClaimDone = std::function<void(core::Result<std::vector<ClaimedRun>>)>;
  using RenewDone = std::function<void(core::Result<std::vector<core::RunId>>)>;
  using CountDone = std::function<void(core::Result<std::size_t>)>;

  // Marks up to `limit` queued runs that are available at `now` (a retry
  // waits out its backoff), oldest first, as running for `owner`,
  // with a lease until `lease_until`, and returns them. A run is handed to
  // exactly one caller. A run of a job with overlap queue is claimed only when
  // no run of its job is running and no older one is queued: in order, one at
  // a time. So is a backfill run of a job with overlap skip (skip forbids
  // running alongside; backfill runs wait their turn instead of being
  // skipped).
  virtual void ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                         ClaimDone done) = 0;

  // Records the outcome of a run `owner` holds; a run someone asked to cancel
  // ends as cancelled unless it succeeded. Fails with kConflict when the
  // owner lost the run meanwhile (its lease expired and it was re-queued), so
  // a presumed-dead owner cannot overwrite the outcome of the re-run.
  virtual void FinishRun(const std::string& owner, RunCompletion completion, WriteDone done) = 0;

  // Records a failed attempt of a run `owner` holds and queues the next
  // attempt, not to be claimed before `available_at` (a run someone asked to
  // cancel ends as cancelled instead); the run keeps the
  // failed attempt's error and output until the next attempt ends. kConflict
  // when the owner lost the run meanwhile.
  virtual void RetryRun(const std::string& owner, RunCompletion failed_attempt, core::TimePoint available_at,
                        WriteDone done) = 0;

  // The node's heartbeat: records `owner` as alive until `lease_until` (the
  // nodes table), extends to it the leases of the runs in `held` that `owner`
  // still holds, and answers with those of them someone asked to cancel
  // (CancelRun), which the owner should stop. `held` are the runs the caller
  // is still executing or recording: a run `owner` holds in the store but
  // left out (its outcome could not be written, say) keeps its lease as it
  // is, so RequeueAbandonedRuns re-queues it once that expires, the caller's
  // own run as much as anyone's. Ids `owner` does not hold are ignored.
  virtual void RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                           RenewDone done) = 0;

  // Forgets nodes silent for kForgetSilentNodesAfter. Puts back in the queue, as a new attempt (or ends as cancelled,
  // when someone asked to cancel it), every running run whose lease expired before `now` or whose owner is not
  // `live_owner` (pass the current process at start-up: runs of a process that died are orphans). Returns how many were
  // re-queued.
  virtual void RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                                    CountDone done) = 0;

  // Hands `owner`'s runs with the given ids back to the queue unchanged (same
  // attempt): used at shutdown for runs that could not finish in time. Runs
  // someone asked to cancel end as cancelled instead.
  virtual void ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                           WriteDone done) = 0;

  // Number of runs waiting in the queue.
  virtual core::Result<std::size_t> QueuedRunCount() = 0;

  // Number of nodes whose heartbeat is recent: alive at `now`.
  virtual core::Result<std::size_t> LiveNodeCount(core::TimePoint now) = 0;
};

}  // namespace jobsched::store
