// SqliteJobStore's automatic resume of jobs paused until an instant.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/job_pause.hpp"
#include "store/row_columns.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

// Resumes the jobs whose pause has ended by `now`; each UPDATE is
// conditional on the row still being the paused one read, so another store
// writing this file (or a change in between) cannot make a job resume twice.
core::Result<std::vector<core::Job>> ResumeDue(SqliteConnection& db, core::TimePoint now, std::size_t limit,
                                               const Audit& audit) {
  static const std::string kSelect = "SELECT " + std::string(kJobColumns) +
                                     " FROM jobs WHERE paused_until IS NOT NULL AND paused_until <= ? AND is_active = 0"
                                     " ORDER BY paused_until, id LIMIT ?";
  auto select = db.Cached(kSelect);
  if (!select) return select.error();
  (*select)->Bind(1, ToUnixMs(now)).Bind(2, static_cast<std::int64_t>(limit));
  auto due = CollectRows<core::Job>(**select, JobFromRow);
  if (!due) return due.error();
  (*select)->Reset();

  std::vector<core::Job> resumed;
  for (const core::Job& job : *due) {
    if (job.is_active || !job.paused_until) continue;
    core::Job active = core::ResumeAtPauseEnd(job, now);
    auto update = db.Cached(
        "UPDATE jobs SET is_active = 1, paused_reason = NULL, paused_at = NULL, paused_until = NULL,"
        " next_run = ?, updated_at = ?, version = ?, row_version = row_version + 1 WHERE id = ? AND is_active = 0 AND "
        "paused_until = ?");
    if (!update) return update.error();
    (*update)
        ->Bind(1, OptionalMs(active.next_run))
        .Bind(2, ToUnixMs(active.updated_at))
        .Bind(3, active.version)
        .Bind(4, job.id)
        .Bind(5, ToUnixMs(*job.paused_until));
    if (auto ran = (*update)->Run(); !ran) return ran.error();
    if (db.Changes() != 1) continue;
    if (auto recorded = InsertAudit(db, ResumeAuditEntry(audit, now, job, active)); !recorded) return recorded.error();
    resumed.push_back(std::move(active));
  }
  return resumed;
}

}  // namespace

core::Result<bool> SqliteJobStore::AnyPauseEnded(core::TimePoint now) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto statement = (**reader).Cached(
      "SELECT EXISTS (SELECT 1 FROM jobs WHERE paused_until IS NOT NULL AND paused_until <= ? AND is_active = 0)");
  if (!statement) return statement.error();
  (*statement)->Bind(1, ToUnixMs(now));
  auto row = (*statement)->Step();
  if (!row) return row.error();
  const bool any = (*statement)->ColumnInt(0) != 0;
  return any;
}

void SqliteJobStore::ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done, Audit audit) {
  // The scheduler asks on every pass; a read first keeps the writer for when a pause has ended.
  auto ended = AnyPauseEnded(now);
  if (!ended) return done(ended.error());
  if (!*ended) return done(std::vector<core::Job>());
  writer_->Submit<std::vector<core::Job>>(
      [submitted = now, clock = clock_, limit,
       audit = std::move(audit)](SqliteConnection& db) -> core::Result<std::vector<core::Job>> {
        // What has ended by now, as FireDueJobs judges what is due.
        const core::TimePoint now = clock != nullptr ? std::max(submitted, clock->Now()) : submitted;
        return ResumeDue(db, now, limit, audit);
      },
      [this, done = std::move(done)](core::Result<std::vector<core::Job>> resumed) {
        if (resumed) {
          std::vector<core::JobId> ids;
          for (const core::Job& job : *resumed) ids.push_back(job.id);
          if (!ids.empty()) cache_.Invalidate(ids);
          for (const core::Job& job : *resumed) {
            PublishScheduled(job);
            Publish({StoreChange::Job(StoreChange::Action::kUpdated, job.id, job.namespace_name)});
          }
        }
        done(std::move(resumed));
      });
}

}  // namespace jobsched::store::sqlite
