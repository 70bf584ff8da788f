// Bulk changes of PostgresJobStore (POST /jobs/bulk, POST /runs/bulk). A
// batch is one write of the writer, so one transaction (or one savepoint of
// a shared one): each row is locked as the single operation locks it, a job
// the action refuses is recorded and the others commit, a database error
// undoes the whole batch. Events and wake-ups are notifications queued in the
// transaction, so every node hears of them once it commits.
#include <algorithm>
#include <utility>
#include <vector>

#include "store/audit_log.hpp"
#include "store/bulk_steps.hpp"
#include "store/postgres/pg_events.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"
#include "store/postgres/postgres_job_store.hpp"

namespace jobsched::store::postgres {
namespace {

// What `action` does to `job`, read and locked in this transaction: whether
// it changed it, or why not.
core::Result<bool> ApplyJobAction(PgConnection& db, const core::Job& job, JobAction action, core::TimePoint now,
                                  std::size_t max_runs, const Audit& audit) {
  switch (action) {
    case JobAction::kPause:
    case JobAction::kResume: {
      auto written = SetActiveInBulk(
          job, action, now, audit, [&](const core::Job& changed) { return WriteJob(db, changed, job.version); },
          [&](const std::optional<core::AuditEntry>& entry) { return InsertAudit(db, entry); });
      if (!written) return written.error();
      return written->has_value();
    }
    case JobAction::kTrigger: {
      auto run = QueueManualRun(db, job, now, max_runs);
      if (!run) return run.error();
      if (audit) {
        if (auto recorded = InsertAudit(db, RunNowAuditEntry(*audit, job, run->id)); !recorded) return recorded.error();
      }
      return true;
    }
    case JobAction::kDelete: {
      // Its runs go with it (ON DELETE CASCADE).
      if (auto removed = db.Query("DELETE FROM jobs WHERE id = $1", PgParams().Add(job.id)); !removed) {
        return removed.error();
      }
      if (auto notified =
              NotifyEvents(db, {StoreChange::Job(StoreChange::Action::kDeleted, job.id, job.namespace_name)});
          !notified) {
        return notified.error();
      }
      if (audit) {
        auto entry = JobAuditEntry(*audit, core::audit_action::kJobDeleted, job.id, job.namespace_name, &job, nullptr);
        if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
      }
      return true;
    }
  }
  return core::Error::Internal("unknown bulk action");
}

}  // namespace

void PostgresJobStore::ChangeJobs(std::vector<core::JobId> ids, JobAction action, core::TimePoint now,
                                  std::optional<std::string> only_namespace,
                                  std::function<void(core::Result<BulkOutcome>)> done, Audit audit) {
  database_->writer().Submit<BulkOutcome>(
      [ids = OrderedIds(std::move(ids)), action, now, only_namespace = std::move(only_namespace),
       max_runs = limits_.max_runs_per_job_per_minute,
       audit = std::move(audit)](PgConnection& db) -> core::Result<BulkOutcome> {
        const RowLock lock = action == JobAction::kDelete ? RowLock::kForDelete : RowLock::kForUpdate;
        BulkOutcome outcome;
        for (const core::JobId id : ids) {
          auto job = ReadJob(db, id, lock);
          if (job && only_namespace && job->namespace_name != *only_namespace) job = JobNotFound(id);
          auto applied = job ? ApplyJobAction(db, *job, action, now, max_runs, audit) : core::Result<bool>(job.error());
          if (!applied) {
            if (auto refused = RecordRefusal(outcome, id, applied.error()); !refused) return refused.error();
            continue;
          }
          (*applied ? outcome.changed : outcome.unchanged).push_back(id);
        }
        return outcome;
      },
      std::move(done));
}

void PostgresJobStore::CancelRuns(std::vector<core::RunId> ids, core::TimePoint now,
                                  std::optional<std::string> only_namespace,
                                  std::function<void(core::Result<BulkOutcome>)> done) {
  database_->writer().Submit<BulkOutcome>(
      [ids = OrderedIds(std::move(ids)), now,
       only_namespace = std::move(only_namespace)](PgConnection& db) -> core::Result<BulkOutcome> {
        return CancelEachRun(
            ids, only_namespace, [&db](core::RunId id) { return ReadRun(db, id, RowLock::kForUpdate); },
            [&db](core::JobId job_id) { return ReadJob(db, job_id, RowLock::kNone); },
            [&db, now](core::RunId id) { return RequestCancel(db, id, now); }, [](const core::Run&) {});
      },
      std::move(done));
}

}  // namespace jobsched::store::postgres
