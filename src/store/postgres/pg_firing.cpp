#include "store/postgres/pg_firing.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_rows.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

// What a batch of plans writes, column by column: each statement below then
// takes whole arrays (unnest), so a batch of 512 jobs costs four round trips,
// not a few per job.
struct FiringWrites {
  std::vector<std::optional<std::int64_t>> run_job_ids, run_times;
  std::vector<std::optional<std::int64_t>> skip_job_ids, skip_times;
  std::vector<std::string> skip_reasons;
  std::vector<std::optional<std::int64_t>> job_ids, next_runs, last_runs, read_next_runs;

  void Add(const core::Job& job, const core::FirePlan& plan) {
    for (const core::TimePoint occurrence : plan.occurrences) {
      run_job_ids.emplace_back(job.id);
      run_times.emplace_back(ToUnixMs(occurrence));
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

}  // namespace

core::Result<FireResult> FireDue(PgConnection& db, core::TimePoint now, std::size_t limit,
                                 const FirePlanner& planner) {
  // SKIP LOCKED: a job another node is firing right now is left to it (and
  // one this node's API is changing waits for the next round). NO KEY UPDATE
  // is enough, since the id stays: inserting a run of the job elsewhere (a
  // manual trigger) need not wait for us.
  static const std::string kDue = "SELECT " + std::string(kJobColumns) +
                                  " FROM jobs WHERE is_active AND next_run IS NOT NULL AND next_run <= $1"
                                  " ORDER BY next_run LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED";
  auto selected = db.Query(kDue, PgParams().Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
  if (!selected) return selected.error();
  auto due = CollectRows<core::Job>(*selected, JobFromRow);
  if (!due) return due.error();

  FireResult result;
  result.more_due = due->size() == limit;
  if (due->empty()) return result;
  FiringWrites writes;
  for (const core::Job& job : *due) writes.Add(job, planner(job, now));
  result.jobs_fired = due->size();

  if (!writes.run_job_ids.empty()) {
    auto inserted = db.Query(
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at) "
        "SELECT o.job_id, o.scheduled_for, 'schedule', 'queued', 1, $3 "
        "FROM unnest($1::bigint[], $2::bigint[]) AS o (job_id, scheduled_for) "
        "ON CONFLICT (job_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING",
        PgParams().AddArray(writes.run_job_ids).AddArray(writes.run_times).Add(ToUnixMs(now)));
    if (!inserted) return inserted.error();
    result.runs_created = static_cast<std::size_t>(inserted->affected());
  }
  if (!writes.skip_job_ids.empty()) {
    auto skipped = db.Query(
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, finished_at, error) "
        "SELECT s.job_id, s.scheduled_for, 'schedule', 'skipped', 1, $4, $4, s.reason "
        "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS s (job_id, scheduled_for, reason) "
        "ON CONFLICT (job_id, scheduled_for) WHERE trigger = 'schedule' DO NOTHING",
        PgParams()
            .AddArray(writes.skip_job_ids)
            .AddArray(writes.skip_times)
            .AddArray(writes.skip_reasons)
            .Add(ToUnixMs(now)));
    if (!skipped) return skipped.error();
  }
  // Compare-and-set on next_run: if anything moved a job meanwhile, its
  // advance is not ours to make.
  auto advanced = db.Query(
      "UPDATE jobs SET next_run = a.next_run, last_run = coalesce(a.last_run, jobs.last_run) "
      "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS a (id, next_run, last_run, read_next_run) "
      "WHERE jobs.id = a.id AND jobs.next_run = a.read_next_run",
      PgParams()
          .AddArray(writes.job_ids)
          .AddArray(writes.next_runs)
          .AddArray(writes.last_runs)
          .AddArray(writes.read_next_runs));
  if (!advanced) return advanced.error();
  return result;
}

}  // namespace jobsched::store::postgres
