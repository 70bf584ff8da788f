// Bulk changes of SqliteJobStore (POST /jobs/bulk, POST /runs/bulk). A batch
// is one write of the writer thread, so one savepoint of one transaction: a
// job the action refuses is recorded and the others commit; a database error
// undoes the whole batch. What it did is published after the commit.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/bulk_steps.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {

// What a batch did besides its answer, for after its commit.
struct SqliteJobStore::BulkEffects {
  std::vector<StoreChange> events;              // in the order they happened
  std::vector<core::JobId> touched;             // rows changed: out of the job cache
  std::vector<std::string> deleted_namespaces;  // counted afresh (ForgetNamespaceCount)
  bool runs_queued = false;
};

namespace {

core::Result<void> DeleteJobRow(SqliteConnection& db, core::JobId id) {
  // Its runs go with it (ON DELETE CASCADE).
  auto remove = db.Cached("DELETE FROM jobs WHERE id = ?");
  if (!remove) return remove.error();
  (*remove)->Bind(1, id);
  return (*remove)->Run();
}

}  // namespace

core::Result<bool> SqliteJobStore::ApplyJobAction(SqliteConnection& db, const core::Job& job, JobAction action,
                                                  core::TimePoint now, BulkEffects& effects, const Audit& audit) {
  using Action = StoreChange::Action;
  switch (action) {
    case JobAction::kPause:
    case JobAction::kResume: {
      auto written = SetActiveInBulk(
          job, action, now, audit, [&](const core::Job& changed) { return WriteJob(db, changed, job.version); },
          [&](const std::optional<core::AuditEntry>& entry) { return InsertAudit(db, entry); });
      if (!written) return written.error();
      if (!*written) return false;
      const core::Job& active = **written;
      effects.touched.push_back(job.id);
      if (active.is_active && active.next_run) effects.events.push_back(StoreChange::Scheduled(*active.next_run));
      effects.events.push_back(StoreChange::Job(Action::kUpdated, job.id, job.namespace_name));
      return true;
    }
    case JobAction::kTrigger: {
      auto run = QueueManualRun(db, job, now);
      if (!run) return run.error();
      if (audit) {
        if (auto recorded = InsertAudit(db, RunNowAuditEntry(*audit, job, run->id)); !recorded) return recorded.error();
      }
      effects.runs_queued = true;
      effects.events.push_back(StoreChange::Run(Action::kQueued, run->id, job.id, "queued", job.namespace_name));
      return true;
    }
    case JobAction::kDelete: {
      // The namespace is counted afresh, now and after the commit (or its failure).
      ForgetNamespaceCount(job.namespace_name);
      effects.deleted_namespaces.push_back(job.namespace_name);
      if (auto deleted = DeleteJobRow(db, job.id); !deleted) return deleted.error();
      if (audit) {
        auto entry = JobAuditEntry(*audit, core::audit_action::kJobDeleted, job.id, job.namespace_name, &job, nullptr);
        if (auto recorded = InsertAudit(db, entry); !recorded) return recorded.error();
      }
      effects.touched.push_back(job.id);
      effects.events.push_back(StoreChange::Job(Action::kDeleted, job.id, job.namespace_name));
      return true;
    }
  }
  return core::Error::Internal("unknown bulk action");
}

void SqliteJobStore::ChangeJobs(std::vector<core::JobId> ids, JobAction action, core::TimePoint now,
                                std::optional<std::string> only_namespace,
                                std::function<void(core::Result<BulkOutcome>)> done, Audit audit) {
  auto effects = std::make_shared<BulkEffects>();
  writer_->Submit<BulkOutcome>(
      [this, ids = OrderedIds(std::move(ids)), action, now, only_namespace = std::move(only_namespace), effects,
       audit = std::move(audit)](SqliteConnection& db) -> core::Result<BulkOutcome> {
        BulkOutcome outcome;
        for (const core::JobId id : ids) {
          auto job = ReadJob(db, id);
          if (job && only_namespace && job->namespace_name != *only_namespace) job = JobNotFound(id);
          auto applied = job ? ApplyJobAction(db, *job, action, now, *effects, audit) : core::Result<bool>(job.error());
          if (!applied) {
            if (auto refused = RecordRefusal(outcome, id, applied.error()); !refused) return refused.error();
            continue;
          }
          (*applied ? outcome.changed : outcome.unchanged).push_back(id);
        }
        return outcome;
      },
      [this, effects, done = std::move(done)](core::Result<BulkOutcome> outcome) {
        // Committed (or not): before anyone hears of it.
        if (!effects->touched.empty()) cache_.Invalidate(effects->touched);
        for (const std::string& job_namespace : effects->deleted_namespaces) ForgetNamespaceCount(job_namespace);
        if (outcome) {
          if (effects->runs_queued) PublishRunsQueued();
          Publish(effects->events);
        }
        done(std::move(outcome));
      });
}

void SqliteJobStore::CancelRuns(std::vector<core::RunId> ids, core::TimePoint now,
                                std::optional<std::string> only_namespace,
                                std::function<void(core::Result<BulkOutcome>)> done) {
  auto events = std::make_shared<std::vector<StoreChange>>();
  writer_->Submit<BulkOutcome>(
      [ids = OrderedIds(std::move(ids)), now, only_namespace = std::move(only_namespace),
       events](SqliteConnection& db) -> core::Result<BulkOutcome> {
        return CancelEachRun(
            ids, only_namespace, [&db](core::RunId id) { return ReadRun(db, id); },
            [&db](core::JobId job_id) { return ReadJob(db, job_id); },
            [&db, now](core::RunId id) { return RequestCancel(db, id, now); },
            [&events](const core::Run& run) { events->push_back(CancelEvent(run)); });
      },
      [this, events, done = std::move(done)](core::Result<BulkOutcome> outcome) {
        if (outcome) Publish(*events);
        done(std::move(outcome));
      });
}

}  // namespace jobsched::store::sqlite
