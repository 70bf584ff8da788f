#pragma once

// The steps of a bulk change (POST /jobs/bulk, POST /runs/bulk) that do not
// depend on the database: the order ids are handled in, what a refusal of
// one target records, and the walk that cancels runs one by one. Each store
// supplies its own reads and writes, inside its own transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "core/time.hpp"
#include "store/audit_log.hpp"
#include "store/job_store.hpp"

namespace jobsched::store {

// Ascending and distinct: each id is answered once, and rows are locked in
// one order whoever changes them, so two batches never wait for each other
// in a circle.
std::vector<std::int64_t> OrderedIds(std::vector<std::int64_t> ids);

// Records `error` against `id` when it refuses that one only; otherwise it
// is the batch's error.
core::Result<void> RecordRefusal(BulkOutcome& outcome, std::int64_t id, core::Error error);

// Pauses or resumes (as `action` says) `job`, read in the batch's
// transaction: `write(changed)` writes the changed job over that row and
// answers it as written, `record(entry)` inserts the audit entry. Answers the
// job written, or nullopt when it already was as asked.
template <typename Write, typename Record>
core::Result<std::optional<core::Job>> SetActiveInBulk(const core::Job& job, JobAction action, core::TimePoint now,
                                                       const Audit& audit, Write write, Record record) {
  auto changed = JobWithActive(job, action == JobAction::kResume, now);
  if (!changed) return changed.error();
  if (!*changed) return std::optional<core::Job>();
  core::Result<core::Job> written = write(**changed);
  if (!written) return written.error();
  if (audit) {
    auto entry = JobAuditEntry(*audit, BulkAuditAction(action), job.id, job.namespace_name, &job, &*written);
    if (auto recorded = record(entry); !recorded) return recorded.error();
  }
  return std::optional<core::Job>(std::move(written).value());
}

// Asks each of `ids` to stop, in order: `read_run(id)` and `read_job(job_id)`
// read (and, where the database locks, lock) a run and its job;
// `request_cancel(id)` records the request and answers the run as it left
// it; `on_cancelled(run)` is told of each run changed. A run of another
// namespace than `only_namespace` reads as missing; one that ended or was
// already asked to stop is unchanged. The database's errors end the batch.
template <typename ReadRun, typename ReadJob, typename RequestCancel, typename OnCancelled>
core::Result<BulkOutcome> CancelEachRun(const std::vector<core::RunId>& ids,
                                        const std::optional<std::string>& only_namespace, ReadRun read_run,
                                        ReadJob read_job, RequestCancel request_cancel, OnCancelled on_cancelled) {
  BulkOutcome outcome;
  for (const core::RunId id : ids) {
    core::Result<core::Run> run = read_run(id);
    if (run && only_namespace) {
      auto job = read_job(run->job_id);
      if (!job && !IsBulkRefusal(job.error())) return job.error();
      if (!job || job->namespace_name != *only_namespace) run = RunNotFound(id);
    }
    if (run && (core::IsTerminal(run->state) || run->cancel_requested_at)) {
      outcome.unchanged.push_back(id);
      continue;
    }
    auto cancelled = run ? request_cancel(id) : core::Result<core::Run>(run.error());
    if (!cancelled) {
      if (auto refused = RecordRefusal(outcome, id, cancelled.error()); !refused) return refused.error();
      continue;
    }
    outcome.changed.push_back(id);
    if (!core::IsTerminal(cancelled->state)) outcome.stopping.push_back(id);
    on_cancelled(*cancelled);
  }
  return outcome;
}

}  // namespace jobsched::store
