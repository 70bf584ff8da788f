#include "store/postgres/pg_firing.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_alerts.hpp"
#include "store/postgres/pg_events.hpp"
#include "store/postgres/pg_rows.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

// What a batch of plans writes, column by column: each statement below then
// takes whole arrays (unnest), so a batch of 512 jobs costs five round trips,
// not a few per job.
struct FiringWrites {
  std::vector<std::optional<std::int64_t>> run_job_ids, run_times, run_available_at, run_jitters;
  std::vector<std::optional<std::int64_t>> skip_job_ids, skip_times;
  std::vector<std::string> skip_reasons;
  std::vector<std::optional<std::int64_t>> job_ids, next_runs, last_runs, read_next_runs;

  void Add(const core::Job& job, const core::FirePlan& plan) {
    for (const core::TimePoint occurrence : plan.occurrences) {
      const core::Milliseconds jitter = core::JitterDelay(job, occurrence);
      run_job_ids.emplace_back(job.id);
      run_times.emplace_back(ToUnixMs(occurrence));
      run_available_at.push_back(jitter.count() > 0 ? std::optional(ToUnixMs(occurrence + jitter)) : std::nullopt);
      run_jitters.emplace_back(jitter.count());
    }
    // Occurrences that will not run are recorded too, so history shows what
    // did not happen and why; they take their occurrence's unique slot.
    for (const core::SkippedOccurrence& skipped : plan.skipped) {
      skip_job_ids.emplace_back(job.id);
      skip_times.emplace_back(ToUnixMs(skipped.scheduled_for));
      skip_reasons.push_back(skipped.reason);
    }
    job_ids.emplace_back(job.id);
    next_runs.push_back(OptionalMs(plan.next_run));
    last_runs.push_back(OptionalMs(plan.last_run));
    read_next_runs.push_back(OptionalMs(job.next_run));
  }
};

// The oldest unfinished (queued or running) run of each of `jobs` that has
// one: what an overlap policy of skip needs to know.
core::Result<std::map<core::JobId, core::RunId>> UnfinishedRunsOf(
    PgConnection& db, const std::vector<std::optional<std::int64_t>>& jobs) {
  std::map<core::JobId, core::RunId> unfinished;
  if (jobs.empty()) return unfinished;
  auto selected = db.Query(
      "SELECT DISTINCT ON (job_id) job_id, id FROM runs "
      "WHERE job_id = ANY ($1::bigint[]) AND state IN ('queued', 'running') ORDER BY job_id, id",
      PgParams().AddArray(jobs));
  if (!selected) return selected.error();
  for (int row = 0; row < selected->rows(); ++row) unfinished[selected->Int(row, 0)] = selected->Int(row, 1);
  return unfinished;
}

// Locks and reads up to `limit` active jobs due at `now`.
core::Result<std::vector<core::Job>> LockDueJobs(PgConnection& db, core::TimePoint now, std::size_t limit) {
  // SKIP LOCKED: a job another node is firing (or triggering, or a client
  // changing) right now is left alone this round. NO KEY UPDATE is enough,
  // since the id stays: inserting runs of the job elsewhere, whose foreign-key
  // check takes KEY SHARE, need not wait for us.
  static const std::string kDue = "SELECT " + std::string(kJobColumns) +
                                  " FROM jobs WHERE is_active AND next_run IS NOT NULL AND next_run <= $1"
                                  " ORDER BY next_run LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED";
  auto selected = db.Query(kDue, PgParams().Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
  if (!selected) return selected.error();
  return CollectRows<core::Job>(*selected, JobFromRow);
}

// What `planner` makes of each of the `due` jobs, given the unfinished run of
// those whose overlap policy is skip.
core::Result<FiringWrites> PlanFirings(PgConnection& db, const std::vector<core::Job>& due, core::TimePoint now,
                                       const FirePlanner& planner) {
  // Our lock on each job row keeps other nodes from firing or triggering it
  // until we commit, so what we read here stays true meanwhile (a run may
  // finish, which only makes a skip unnecessary, as in SQLite).
  std::vector<std::optional<std::int64_t>> skip_overlap;
  for (const core::Job& job : due) {
    if (job.overlap == core::OverlapPolicy::kSkip) skip_overlap.emplace_back(job.id);
  }
  auto unfinished = UnfinishedRunsOf(db, skip_overlap);
  if (!unfinished) return unfinished.error();
  FiringWrites writes;
  for (const core::Job& job : due) {
    std::optional<core::RunId> in_progress;
    if (job.overlap == core::OverlapPolicy::kSkip) {
      if (auto found = unfinished->find(job.id); found != unfinished->end()) in_progress = found->second;
    }
    writes.Add(job, planner(job, now, in_progress));
  }
  return writes;
}

// Inserts the runs to queue and the skipped occurrences, adding an event for
// each run made to `events`. Returns how many runs were queued (an occurrence
// that already has a run gets none).
core::Result<std::size_t> InsertRuns(PgConnection& db, const FiringWrites& writes, core::TimePoint now,
                                     std::vector<StoreChange>& events) {
  std::size_t created = 0;
  if (!writes.run_job_ids.empty()) {
    auto inserted = db.Query(
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, available_at, jitter_ms) "
        "SELECT o.job_id, o.scheduled_for, 'schedule', 'queued', 1, $3, o.available_at, o.jitter_ms "
        "FROM unnest($1::bigint[], $2::bigint[], $4::bigint[], $5::bigint[]) "
        "AS o (job_id, scheduled_for, available_at, jitter_ms) "
        "ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING RETURNING id, job_id",
        PgParams()
            .AddArray(writes.run_job_ids)
            .AddArray(writes.run_times)
            .Add(ToUnixMs(now))
            .AddArray(writes.run_available_at)
            .AddArray(writes.run_jitters));
    if (!inserted) return inserted.error();
    created = static_cast<std::size_t>(inserted->rows());
    for (int row = 0; row < inserted->rows(); ++row) {
      events.push_back(
          StoreChange::Run(StoreChange::Action::kQueued, inserted->Int(row, 0), inserted->Int(row, 1), "queued"));
    }
  }
  if (!writes.skip_job_ids.empty()) {
    auto skipped = db.Query(
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, finished_at, error) "
        "SELECT s.job_id, s.scheduled_for, 'schedule', 'skipped', 1, $4, $4, s.reason "
        "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS s (job_id, scheduled_for, reason) "
        "ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING RETURNING id, job_id",
        PgParams()
            .AddArray(writes.skip_job_ids)
            .AddArray(writes.skip_times)
            .AddArray(writes.skip_reasons)
            .Add(ToUnixMs(now)));
    if (!skipped) return skipped.error();
    for (int row = 0; row < skipped->rows(); ++row) {
      events.push_back(
          StoreChange::Run(StoreChange::Action::kFinished, skipped->Int(row, 0), skipped->Int(row, 1), "skipped"));
    }
  }
  return created;
}

// Moves each job's next_run and last_run on.
core::Result<void> AdvanceJobs(PgConnection& db, const FiringWrites& writes) {
  // Compare-and-set on next_run: if anything moved a job meanwhile, its
  // advance is not ours to make.
  auto advanced = db.Query(
      "UPDATE jobs SET next_run = a.next_run, last_run = coalesce(a.last_run, jobs.last_run) "
      "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS a (id, next_run, last_run, "
      "read_next_run) "
      "WHERE jobs.id = a.id AND jobs.next_run = a.read_next_run",
      PgParams()
          .AddArray(writes.job_ids)
          .AddArray(writes.next_runs)
          .AddArray(writes.last_runs)
          .AddArray(writes.read_next_runs));
  if (!advanced) return advanced.error();
  return core::Ok();
}

}  // namespace

core::Result<FireResult> FireDue(PgConnection& db, core::TimePoint now, std::size_t limit, const FirePlanner& planner,
                                 std::vector<RaisedAlert>& raised) {
  auto due = LockDueJobs(db, now, limit);
  if (!due) return due.error();
  FireResult result;
  result.more_due = due->size() == limit;
  if (due->empty()) return result;

  auto writes = PlanFirings(db, *due, now, planner);
  if (!writes) return writes.error();
  result.jobs_fired = due->size();
  std::vector<StoreChange> events;
  auto created = InsertRuns(db, *writes, now, events);
  if (!created) return created.error();
  result.runs_created = *created;
  if (auto advanced = AdvanceJobs(db, *writes); !advanced) return advanced.error();
  // Skipped occurrences are outcomes: their alerts, in the same transaction.
  std::vector<core::RunId> skipped;
  for (const StoreChange& change : events) {
    if (change.kind == StoreChange::Kind::kRun && change.state == "skipped") skipped.push_back(change.run_id);
  }
  if (auto alerted = RaiseRunEndAlerts(db, skipped, raised); !alerted) return alerted.error();
  // Each fired job's next_run moved: the console shows it.
  for (const core::Job& job : *due) {
    events.push_back(StoreChange::Job(StoreChange::Action::kUpdated, job.id, job.namespace_name));
  }
  if (auto notified = NotifyEvents(db, events); !notified) return notified.error();
  return result;
}

}  // namespace jobsched::store::postgres
