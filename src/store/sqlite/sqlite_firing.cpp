#include "store/sqlite/sqlite_firing.hpp"

#include <string>

#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

// A fired job's next_run moved on. It sets only columns the row_version
// trigger does not watch (migration 0028), so it runs no trigger.
constexpr const char* kAdvanceJob =
    "UPDATE jobs SET next_run = ?, last_run = coalesce(?, last_run), row_version = row_version + 1"
    " WHERE id = ? AND next_run = ?";

// The runs of one due job, as its plan says, and its next_run moved on.
// Returns how many runs were queued; adds an event per run and one for the job.
core::Result<std::size_t> FireOneJob(SqliteConnection& db, const core::Job& job, const core::FirePlan& plan,
                                     core::TimePoint now, std::vector<StoreChange>& events) {
  auto insert = db.Cached(
      "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, available_at, jitter_ms) "
      "VALUES (?, ?, 'schedule', 'queued', 1, ?, ?, ?) "
      "ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING");
  if (!insert) return insert.error();
  std::size_t created = 0;
  for (const core::TimePoint occurrence : plan.occurrences) {
    const core::Milliseconds jitter = core::JitterDelay(job, occurrence);
    (*insert)->Reset().Bind(1, job.id).Bind(2, ToUnixMs(occurrence)).Bind(3, ToUnixMs(now));
    if (jitter.count() > 0) {
      (*insert)->Bind(4, ToUnixMs(occurrence + jitter));
    } else {
      (*insert)->BindNull(4);
    }
    (*insert)->Bind(5, std::int64_t{jitter.count()});
    if (auto done = (*insert)->Run(); !done) return done.error();
    if (db.Changes() == 1) {
      ++created;
      events.push_back(
          StoreChange::Run(StoreChange::Action::kQueued, db.LastInsertRowId(), job.id, "queued", job.namespace_name));
    }
  }
  // Occurrences that will not run are recorded too, so history shows what
  // did not happen and why; they take their occurrence's unique slot.
  if (!plan.skipped.empty()) {
    auto skip = db.Cached(
        "INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, finished_at, error) "
        "VALUES (?1, ?2, 'schedule', 'skipped', 1, ?3, ?3, ?4) "
        "ON CONFLICT (job_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING");
    if (!skip) return skip.error();
    for (const core::SkippedOccurrence& skipped : plan.skipped) {
      (*skip)
          ->Reset()
          .Bind(1, job.id)
          .Bind(2, ToUnixMs(skipped.scheduled_for))
          .Bind(3, ToUnixMs(now))
          .Bind(4, skipped.reason);
      if (auto done = (*skip)->Run(); !done) return done.error();
      if (db.Changes() == 1) {
        events.push_back(StoreChange::Run(StoreChange::Action::kFinished, db.LastInsertRowId(), job.id, "skipped",
                                          job.namespace_name));
      }
    }
  }
  // Compare-and-set on next_run: if anything moved the job meanwhile, the
  // advance is not ours to make.
  auto advance = db.Cached(kAdvanceJob);
  if (!advance) return advance.error();
  (*advance)
      ->Bind(1, OptionalMs(plan.next_run))
      .Bind(2, OptionalMs(plan.last_run))
      .Bind(3, job.id)
      .Bind(4, OptionalMs(job.next_run));
  if (auto done = (*advance)->Run(); !done) return done.error();
  events.push_back(StoreChange::Job(StoreChange::Action::kUpdated, job.id, job.namespace_name));
  return created;
}

}  // namespace

// The job's oldest run that is queued or running, if any. INDEXED BY: runs_by_job
// would serve the same order, through the job's whole history (migration 0014).
core::Result<std::optional<core::RunId>> UnfinishedRunOf(SqliteConnection& db, core::JobId job_id) {
  auto select = db.Cached(
      "SELECT id FROM runs INDEXED BY runs_unfinished_by_job "
      "WHERE job_id = ? AND (state = 'queued' OR state = 'running') ORDER BY id LIMIT 1");
  if (!select) return select.error();
  (*select)->Bind(1, job_id);
  auto row = (*select)->Step();
  if (!row) return row.error();
  std::optional<core::RunId> id;
  if (*row) id = (*select)->ColumnInt(0);
  return id;
}

core::Result<FireResult> FireDue(SqliteConnection& db, core::TimePoint now, std::size_t limit,
                                 const FirePlanner& planner, std::vector<core::JobId>& touched,
                                 std::vector<StoreChange>& events) {
  static const std::string kSql = "SELECT " + std::string(kJobColumns) +
                                  " FROM jobs WHERE is_active = 1 AND next_run IS NOT NULL AND next_run <= ?"
                                  " ORDER BY next_run LIMIT ?";
  auto select = db.Cached(kSql);
  if (!select) return select.error();
  (*select)->Bind(1, ToUnixMs(now)).Bind(2, static_cast<std::int64_t>(limit));
  auto due = CollectRows<core::Job>(**select, JobFromRow);
  if (!due) return due.error();
  (*select)->Reset();

  FireResult result;
  result.more_due = due->size() == limit;
  for (const core::Job& job : *due) {
    std::optional<core::RunId> in_progress;
    if (job.overlap == core::OverlapPolicy::kSkip) {
      auto unfinished = UnfinishedRunOf(db, job.id);
      if (!unfinished) return unfinished.error();
      in_progress = *unfinished;
    }
    touched.push_back(job.id);
    auto created = FireOneJob(db, job, planner(job, now, in_progress), now, events);
    if (!created) return created.error();
    result.runs_created += *created;
    ++result.jobs_fired;
  }
  return result;
}

}  // namespace jobsched::store::sqlite
