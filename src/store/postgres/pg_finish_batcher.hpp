#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/result.hpp"
#include "store/alert_store.hpp"
#include "store/postgres/pg_writer.hpp"
#include "store/run_queue.hpp"

namespace jobsched::store::postgres {

// The error of a run outcome that came too late: `id`'s lease was lost.
core::Error LostRunError(core::RunId id);

// Records run outcomes (RunQueue::FinishRun) in bulk: every outcome that
// arrives while the writer is busy joins one UPDATE ... FROM unnest(...) in
// the writer's next transaction. A statement per run would cost a round trip
// per run plus, in a shared transaction, a savepoint's two; that chain of
// round trips, not PostgreSQL's work, limited a node to a few thousand runs/s
// (bench/README.md).
class PgFinishBatcher {
 public:
  // `writer` must outlive the batcher. Writes already given to it may run
  // after the batcher is gone: they hold what they need.
  // `relay` hears of the alerts each batch raised (RaiseRunEndAlerts, in the
  // batch's transaction), after its commit; it must outlive the batcher too.
  PgFinishBatcher(PgWriter& writer, RaisedAlertRelay& relay)
      : writer_(writer), relay_(relay), pending_(std::make_shared<Pending>()) {}

  // As RunQueue::FinishRun: `done` hears kConflict when `owner` no longer
  // holds the run, after the commit otherwise. A batch that fails with
  // kUnavailable (a deadlock with a job's deletion, a lost connection) is
  // tried again, twice at most, before its callers hear the error: an
  // outcome not recorded means the run executes again once its lease expires.
  void Finish(const std::string& owner, RunCompletion completion, std::function<void(core::Result<void>)> done);

 private:
  struct PendingFinish {
    std::string owner;
    RunCompletion completion;
    std::function<void(core::Result<void>)> done;
    // When a try first found the database unreachable: such a finish is tried again, paced,
    // until kUnreachableWindow has passed (an outcome lost here leaves its run running).
    std::optional<std::chrono::steady_clock::time_point> unreachable_since;
  };
  using Batch = std::vector<PendingFinish>;
  struct Pending {
    core::Mutex mutex;
    Batch finishes GUARDED_BY(mutex);
    bool write_queued GUARDED_BY(mutex) = false;  // a write that will take `finishes` is in the writer's queue

    // Adds `finish`; true when the caller must queue a write to take it.
    bool Add(PendingFinish finish) EXCLUDES(mutex);
    // What the queued write records now: the oldest pending finishes, at
    // most one statement's share. `more` says some were left; the write
    // stays queued for them, and the caller must queue it.
    Batch Take(bool& more) EXCLUDES(mutex);
  };

  // Queues the write that records what is pending when it runs.
  static void QueueWrite(PgWriter& writer, RaisedAlertRelay& relay, std::shared_ptr<Pending> pending);
  static void Answer(PgWriter& writer, RaisedAlertRelay& relay, const std::shared_ptr<Pending>& pending, Batch& batch,
                     const core::Result<std::vector<core::RunId>>& recorded);

  PgWriter& writer_;
  RaisedAlertRelay& relay_;
  std::shared_ptr<Pending> pending_;
};

}  // namespace jobsched::store::postgres
