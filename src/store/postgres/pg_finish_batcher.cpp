#include "store/postgres/pg_finish_batcher.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <optional>
#include <thread>
#include <utility>

#include "store/postgres/pg_alerts.hpp"
#include "store/postgres/pg_events.hpp"
#include "store/run_output.hpp"

namespace jobsched::store::postgres {

core::Error LostRunError(core::RunId id) {
  return core::Error::Conflict("run " + std::to_string(id) + " is no longer held by this node (its lease expired)");
}

namespace {

// A database that refuses connections (restarting, failing over) fails every
// try at once: three tries in a row gave an outcome up within a millisecond
// (e2e_cluster's outage test, when a run ended during the outage). Such
// finishes are tried again every kUnreachablePause for kUnreachableWindow,
// which outlasts a restart. A longer outage still loses the outcome: the
// executor forgets the run, its heartbeat no longer renews the run's lease
// (it renews only the runs the executor holds), and once the lease expires
// the run is re-queued as a new attempt: executed at least once, as after a
// crash, never left running for ever.
constexpr auto kUnreachableWindow = std::chrono::seconds{20};
constexpr auto kUnreachablePause = std::chrono::milliseconds{250};
// One statement's share: a backlog (after an outage, say) goes in several
// statements rather than one array parameter of hundreds of megabytes,
// whose failure would fail every run in it.
constexpr std::size_t kMaxRunsPerStatement = 512;
constexpr std::size_t kMaxBytesPerStatement = std::size_t{8} << 20;

// Fenced by the lease owner: a node whose lease expired (and whose run was
// re-queued, perhaps re-run) cannot overwrite the newer outcome. A run
// someone asked to cancel ends as cancelled, unless it succeeded. The runs
// are locked in id order, as every single statement that locks several
// running runs does (RenewLeases, ReleaseRuns, RequeueAbandonedRuns), and the
// outcome writer gives each of its statements a transaction of its own, so
// two such statements cannot deadlock. (A group commit of the main writer,
// cancelling two runs one after the other, still could; PostgreSQL detects
// it and this batch is tried again.)
//
// The second SELECT makes a retry idempotent: when the connection was lost
// during COMMIT, the outcome may have been recorded after all; a run already
// ended with this very finished_at and no lease counts as recorded, not as
// lost. It reads the statement's snapshot, so the runs this statement
// updates do not show up twice.
//
// Planned at every call (QueryPlannedEachTime), never from a cached generic
// plan: one made while the runs table was nearly empty (a node's first
// finishes) read the second SELECT as a sequential scan of runs, looped over
// the batch, and kept it as the table grew: about 1 ms of PostgreSQL's time
// per run once 20,000 runs were there, the most of any statement in
// bench/cluster.sh's steady run (bench/README.md). Planning it costs a
// fraction of a millisecond, and there are at most a few hundred a second.
constexpr const char* kFinishRuns =
    "WITH f AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])"
    " AS u (id, state, finished_at, output, error, owner)), "
    "held AS MATERIALIZED (SELECT runs.id FROM runs JOIN f ON f.id = runs.id"
    " WHERE runs.state = 'running' AND runs.lease_owner = f.owner ORDER BY runs.id FOR NO KEY UPDATE OF runs), "
    "finished AS (UPDATE runs SET finished_at = f.finished_at, "
    "duration_ms = f.finished_at - coalesce(runs.started_at, f.finished_at), output = f.output, "
    "state = CASE WHEN runs.cancel_requested_at IS NULL OR f.state = 'succeeded' THEN f.state ELSE 'cancelled' END, "
    "error = CASE WHEN runs.cancel_requested_at IS NULL OR f.state IN ('succeeded', 'cancelled') THEN f.error "
    "ELSE 'cancelled by request; ' || f.error END, "
    "lease_owner = NULL, lease_expires_at = NULL "
    "FROM held, f WHERE runs.id = held.id AND f.id = held.id RETURNING runs.id, runs.job_id, runs.state) "
    // The last column: whether this statement finished the run (it gets an
    // event), or an earlier try of the same batch did.
    "SELECT id, job_id, state, true, "
    // Whether the job has an alert rule (its own or its namespace's): only
    // then does the transaction go on to decide the outcome's alerts.
    "EXISTS (SELECT 1 FROM jobs LEFT JOIN namespace_alert_rules n ON n.namespace = jobs.namespace "
    "WHERE jobs.id = finished.job_id AND (jobs.alerts IS NOT NULL OR n.rule IS NOT NULL)) FROM finished "
    "UNION ALL SELECT runs.id, runs.job_id, runs.state, false, false FROM runs JOIN f ON f.id = runs.id"
    " WHERE runs.state NOT IN ('running', 'queued') AND runs.lease_owner IS NULL AND runs.finished_at = f.finished_at";

}  // namespace

void PgFinishBatcher::Finish(const std::string& owner, RunCompletion completion,
                             std::function<void(core::Result<void>)> done) {
  if (pending_->Add(PendingFinish{owner, std::move(completion), std::move(done), std::nullopt}))
    QueueWrite(writer_, relay_, pending_);
}

void PgFinishBatcher::QueueWrite(PgWriter& writer, RaisedAlertRelay& relay, std::shared_ptr<Pending> pending) {
  struct Taken {
    bool taken = false;
    bool more = false;  // finishes were left pending: this write queues the next
    Batch finishes;
    std::vector<RaisedAlert> raised;  // by the try that committed
  };
  auto batch = std::make_shared<Taken>();
  writer.Submit<std::vector<core::RunId>>(
      [pending, batch](PgConnection& db) -> core::Result<std::vector<core::RunId>> {
        batch->finishes = pending->Take(batch->more);
        batch->taken = true;
        std::vector<std::optional<std::int64_t>> ids, finished_at;
        std::vector<std::string> states, outputs, errors, owners;
        for (const PendingFinish& finish : batch->finishes) {
          ids.emplace_back(finish.completion.run_id);
          finished_at.emplace_back(core::ToUnixMs(finish.completion.finished_at));
          states.emplace_back(core::ToString(finish.completion.state));
          // Copies: a batch that fails may be tried again.
          outputs.push_back(CapRunOutput(finish.completion.output));
          errors.push_back(CapRunOutput(finish.completion.error));
          owners.push_back(finish.owner);
        }
        auto updated = db.QueryPlannedEachTime(kFinishRuns, PgParams()
                                                                .AddArray(ids)
                                                                .AddArray(states)
                                                                .AddArray(finished_at)
                                                                .AddArray(outputs)
                                                                .AddArray(errors)
                                                                .AddArray(owners));
        if (!updated) return updated.error();
        std::vector<core::RunId> recorded;
        recorded.reserve(static_cast<std::size_t>(updated->rows()));
        std::vector<StoreChange> events;
        std::vector<core::RunId> alerting;
        for (int row = 0; row < updated->rows(); ++row) {
          recorded.push_back(updated->Int(row, 0));
          if (updated->Bool(row, 3)) {
            events.push_back(StoreChange::Run(StoreChange::Action::kFinished, updated->Int(row, 0),
                                              updated->Int(row, 1), std::string(updated->Text(row, 2))));
          }
          if (updated->Bool(row, 4)) alerting.push_back(updated->Int(row, 0));
        }
        // The outcomes' alerts, in their transaction (docs/decisions/0011).
        batch->raised.clear();
        if (auto alerted = RaiseRunEndAlerts(db, alerting, batch->raised); !alerted) return alerted.error();
        if (auto notified = NotifyEvents(db, events); !notified) return notified.error();
        std::sort(recorded.begin(), recorded.end());
        return recorded;
      },
      [&writer, &relay, pending, batch](const core::Result<std::vector<core::RunId>>& recorded) {
        // The transaction failed before the write ran (no connection): it
        // answers for what it would have taken, or they would wait forever.
        if (!batch->taken) batch->finishes = pending->Take(batch->more);
        if (recorded) relay.Report(batch->raised);
        Answer(writer, relay, pending, batch->finishes, recorded);
        if (batch->more) QueueWrite(writer, relay, pending);
      });
}

void PgFinishBatcher::Answer(PgWriter& writer, RaisedAlertRelay& relay, const std::shared_ptr<Pending>& pending,
                             Batch& batch, const core::Result<std::vector<core::RunId>>& recorded) {
  bool queue_again = false;
  bool paced = false;
  const auto now = std::chrono::steady_clock::now();
  for (PendingFinish& finish : batch) {
    const core::RunId id = finish.completion.run_id;
    // Unavailable: no connection, or it was lost during the write or its commit (a retry is
    // idempotent, see kFinishRuns).
    const bool unavailable = !recorded && recorded.error().code == core::ErrorCode::kUnavailable;
    if (unavailable && !finish.unreachable_since) finish.unreachable_since = now;
    if (recorded) {
      finish.done(std::binary_search(recorded->begin(), recorded->end(), id) ? core::Ok()
                                                                             : core::Result<void>(LostRunError(id)));
    } else if (unavailable && now - *finish.unreachable_since < kUnreachableWindow) {
      paced = true;
      queue_again = pending->Add(std::move(finish)) || queue_again;
    } else {
      finish.done(recorded.error());
    }
  }
  // On the outcome writer's thread, which has nothing to write while the database is gone.
  if (paced) std::this_thread::sleep_for(kUnreachablePause);
  if (queue_again) QueueWrite(writer, relay, pending);
}

bool PgFinishBatcher::Pending::Add(PendingFinish finish) {
  core::MutexLock lock(mutex);
  finishes.push_back(std::move(finish));
  if (write_queued) return false;  // the queued write takes this one too
  write_queued = true;
  return true;
}

PgFinishBatcher::Batch PgFinishBatcher::Pending::Take(bool& more) {
  core::MutexLock lock(mutex);
  std::size_t count = 0;
  std::size_t bytes = 0;
  while (count < finishes.size() && count < kMaxRunsPerStatement && (count == 0 || bytes < kMaxBytesPerStatement)) {
    bytes += finishes[count].completion.output.size() + finishes[count].completion.error.size();
    ++count;
  }
  Batch taken(std::make_move_iterator(finishes.begin()), std::make_move_iterator(finishes.begin() + count));
  finishes.erase(finishes.begin(), finishes.begin() + count);
  more = !finishes.empty();
  write_queued = more;  // the caller queues the write that takes the rest
  return taken;
}

}  // namespace jobsched::store::postgres
