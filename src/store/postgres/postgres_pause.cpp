// PostgresJobStore's automatic resume of jobs paused until an instant.
#include <string>
#include <vector>

#include "core/job_pause.hpp"
#include "store/postgres/pg_events.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_pause.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"
#include "store/postgres/postgres_job_store.hpp"
#include "store/row_columns.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

// Resumes one job read paused: the UPDATE holds only while the row is still
// that pause (READ COMMITTED re-checks the condition on the row another
// node's transaction left behind, after waiting for it), so of several nodes
// resuming at once exactly one wins. Answers whether this one did.
core::Result<bool> ResumeOne(PgConnection& db, const core::Job& paused, const core::Job& active) {
  auto updated = db.Query(
      "UPDATE jobs SET is_active = true, paused_reason = NULL, paused_at = NULL, paused_until = NULL,"
      " next_run = $1, updated_at = $2, version = $3 WHERE id = $4 AND NOT is_active AND paused_until = $5",
      PgParams()
          .Add(OptionalMs(active.next_run))
          .Add(ToUnixMs(active.updated_at))
          .Add(active.version)
          .Add(paused.id)
          .Add(ToUnixMs(*paused.paused_until)));
  if (!updated) return updated.error();
  if (updated->affected() != 1) return false;
  if (active.next_run) {
    if (auto notified = Notify(db, kJobsChannel, std::to_string(ToUnixMs(*active.next_run))); !notified) {
      return notified.error();
    }
  }
  if (auto notified =
          NotifyEvents(db, {StoreChange::Job(StoreChange::Action::kUpdated, active.id, active.namespace_name)});
      !notified) {
    return notified.error();
  }
  return true;
}

core::Result<std::vector<core::Job>> ResumeDue(PgConnection& db, core::TimePoint now, std::size_t limit,
                                               const Audit& audit) {
  static const std::string kSelect =
      "SELECT " + std::string(kJobColumns) +
      " FROM jobs WHERE paused_until IS NOT NULL AND paused_until <= $1 AND NOT is_active"
      " ORDER BY paused_until, id LIMIT $2";
  auto selected = db.Query(kSelect, PgParams().Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
  if (!selected) return selected.error();
  auto due = CollectRows<core::Job>(*selected, JobFromRow);
  if (!due) return due.error();
  std::vector<core::Job> resumed;
  for (const core::Job& job : *due) {
    if (job.is_active || !job.paused_until) continue;
    core::Job active = core::ResumeAtPauseEnd(job, now);
    auto won = ResumeOne(db, job, active);
    if (!won) return won.error();
    if (!*won) continue;
    if (auto recorded = InsertAudit(db, ResumeAuditEntry(audit, now, job, active)); !recorded) return recorded.error();
    resumed.push_back(std::move(active));
  }
  return resumed;
}

}  // namespace

// It reads the earliest pause end through paused_until's index, never jobs
// whole. Asked as "does any pause end by now" (EXISTS ... paused_until <= $1),
// PostgreSQL read the table whole while it had no statistics for it, and
// under the scheduler's updates jobs holds many times more dead rows than
// live ones: in bench/cluster.sh's steady mode, 0.3 ms a pass, 2.1 of the 27
// seconds PostgreSQL worked in 20 s.
core::Result<bool> AnyPauseEnded(PgConnection& db, core::TimePoint now) {
  auto selected = db.Query(
      "SELECT coalesce((SELECT paused_until FROM jobs WHERE paused_until IS NOT NULL AND NOT is_active"
      " ORDER BY paused_until LIMIT 1) <= $1, false)",
      PgParams().Add(ToUnixMs(now)));
  if (!selected) return selected.error();
  return selected->Bool(0, 0);
}

void PostgresJobStore::ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done, Audit audit) {
  // The scheduler asks on every pass; a read first keeps the writer for when a pause has ended.
  auto ended = database_->readers().Read<bool>([now](PgConnection& db) { return AnyPauseEnded(db, now); });
  if (!ended) return done(ended.error());
  if (!*ended) return done(std::vector<core::Job>());
  database_->writer().Submit<std::vector<core::Job>>(
      [now, limit, audit = std::move(audit)](PgConnection& db) { return ResumeDue(db, now, limit, audit); },
      std::move(done));
}

}  // namespace jobsched::store::postgres
