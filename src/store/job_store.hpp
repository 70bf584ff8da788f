#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/firing.hpp"
#include "core/job.hpp"
#include "core/label_selector.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "core/stats_window.hpp"
#include "core/time.hpp"
#include "store/audit_context.hpp"
#include "store/job_snapshot.hpp"

namespace jobsched::store {

// One page of GET /jobs: jobs ordered by id, starting after `after_id`.
// The order of a job list; each direction pages by keyset on (key, id).
enum class JobOrder { kId, kName, kNextRun };

struct JobListQuery {
  std::optional<bool> is_active;
  std::optional<std::string> name_prefix;    // jobs whose name starts with this (case-sensitive)
  std::optional<std::string> name_contains;  // jobs whose name holds this anywhere, case-insensitively
  std::optional<std::string> task_type;      // jobs whose task is of this type ("http", ...)
  std::optional<std::string> job_namespace;  // only jobs of this namespace
  // Jobs whose latest finished run ended in this state ("succeeded", "failed",
  // "timed_out", "cancelled", "skipped"), or "none": jobs with no finished run.
  std::optional<std::string> last_outcome;
  // Jobs whose labels meet every requirement (none: every job). Served by
  // job_labels: in id order, the first `key=value` requirement walks
  // job_labels_by_value in id order and the others are checked per job.
  core::LabelSelector labels;
  JobOrder order = JobOrder::kId;
  bool descending = false;
  // Keyset cursor: the last job of the previous page, by id and, for the
  // other orders, by its sort key (a null next_run sorts after every time).
  std::optional<core::JobId> after_id;
  std::optional<std::string> after_name;
  std::optional<std::optional<core::TimePoint>> after_next_run;
  std::size_t limit = 100;
};

// One page of a run history: newest first, starting before `before_id`.
struct RunListQuery {
  std::optional<core::JobId> job_id;         // only this job's runs
  std::optional<core::RunTrigger> trigger;   // only runs of this trigger (schedule, manual or backfill)
  std::optional<std::string> job_namespace;  // only runs of jobs in this namespace
  std::optional<core::RunId> before_id;      // keyset cursor: the last id of the previous page
  std::size_t limit = 100;
  std::optional<core::RunState> state;  // only runs in this state
  // Only runs scheduled in [scheduled_from, scheduled_until).
  std::optional<core::TimePoint> scheduled_from;
  std::optional<core::TimePoint> scheduled_until;
};

// What Stats reads: the runs of [from, to] in buckets of `bucket_width`
// starting at `from`, and the jobs and runs as of `now`. The buckets must be
// those the roll-ups keep (core::IsRollupBucketing: a width of core::SpanOf,
// `from` a multiple of it); a run is counted in its whole bucket, also past
// `to`.
struct StatsQuery {
  std::optional<std::string> job_namespace;  // only jobs of this namespace and their runs
  core::TimePoint from;
  core::TimePoint to;
  core::Milliseconds bucket_width{60'000};
  core::TimePoint now;
  // A queued run is late once it could have started (its scheduled time, or
  // the end of its jitter delay or retry backoff) more than this long ago.
  core::Milliseconds late_after{60'000};
  // An active job is due soon when its next_run is at most this far ahead.
  core::Milliseconds due_within{15 * 60'000};
};

// Stats' error message for a StatsQuery whose buckets the roll-ups do not keep.
inline constexpr const char* kNotRollupBucketing =
    "stats buckets are 1 minute, 15 minutes or 2 hours wide and start at a multiple of their width";

// What Stats answers. Counts of runs in an end state are of runs that
// finished in the buckets of [from, to] (runs deleted since by retention
// included); queued and running are as of now. A bucket's lateness
// percentiles are those of the lateness rounded down to two significant
// digits (exact below 100 ms, within 1% above).
struct StoreStats {
  std::int64_t jobs_active = 0;
  std::int64_t jobs_paused = 0;
  std::map<core::RunState, std::int64_t> runs;  // by state; a state without runs may be missing
  // The buckets with something in them, at most two entries per bucket (the
  // finished runs, the lateness of started ones; core::FillSeries merges them).
  std::vector<core::StatsBucket> buckets;
  std::int64_t late_now = 0;  // queued runs late by more than late_after
  std::int64_t failing = 0;   // active jobs whose newest finished run failed or timed out
  std::int64_t due_soon = 0;  // active jobs with a next_run before now + due_within
};

// What one FireDueJobs call did.
struct FireResult {
  std::size_t jobs_fired = 0;
  std::size_t runs_created = 0;  // fewer than planned when an occurrence had fired already
  bool more_due = false;         // the batch was full: call again at once
};

// What one PruneRunsBeyond call did.
struct PruneResult {
  std::size_t deleted = 0;
  // The last job looked at: pass it as `after_job` next time; nullopt when
  // the last job was reached (start again from 0 on the next pass).
  std::optional<core::JobId> last_job;
};

// What one BackfillJob call did: each occurrence planned is in exactly one
// of the two counts.
struct BackfillResult {
  std::size_t created = 0;   // runs queued by this call, trigger backfill
  std::size_t existing = 0;  // occurrences that already had a run (fired, skipped or backfilled before)
};

// The occurrences a backfill runs, from the job as read in the backfill's
// transaction; core::BackfillOccurrences in production. May fail (a bad
// range): then nothing is written.
using BackfillPlanner = std::function<core::Result<std::vector<core::TimePoint>>(const core::Job&)>;

// What a bulk change (POST /jobs/bulk) does to each job of a batch.
enum class JobAction { kPause, kResume, kTrigger, kDelete };

// One id of a bulk change that was not applied, and why (its message is what
// the API shows as the failure's detail).
struct BulkFailure {
  std::int64_t id = 0;
  core::Error error;
};

// What one ChangeJobs or CancelRuns batch did, id by id: each id given is in
// exactly one of changed, unchanged and failed, each list ascending.
struct BulkOutcome {
  std::vector<std::int64_t> changed;
  // Already as the action would leave it: a paused job paused, an active one
  // resumed, a run that has ended (or was already asked to stop) cancelled.
  std::vector<std::int64_t> unchanged;
  // Refused one by one: missing (or outside the namespace: alike), over the
  // run quota, overlapping, already ended... The batch still commits.
  std::vector<BulkFailure> failed;
  // CancelRuns: the changed runs that were running; they end once their
  // executor has stopped them.
  std::vector<core::RunId> stopping;
};

// Decides the runs and the next due time of one due job; core::PlanFiring
// in production. The store passes the job's oldest unfinished (queued or
// running) run when the job's overlap policy is skip, for the planner to skip
// overlapping occurrences.
using FirePlanner =
    std::function<core::FirePlan(const core::Job&, core::TimePoint now, std::optional<core::RunId> run_in_progress)>;

// Where jobs live. Implementations: SqliteJobStore (embedded, the default)
// and PostgresJobStore (cluster mode). Every method is safe to call from any thread.
class JobStore {
 public:
  using JobCallback = std::function<void(core::Result<core::Job>)>;
  // What the other writes answer with, after their commit.
  using RunDone = std::function<void(core::Result<core::Run>)>;
  using FireDone = std::function<void(core::Result<FireResult>)>;
  using PrunedDone = std::function<void(core::Result<std::size_t>)>;
  using PruneBeyondDone = std::function<void(core::Result<PruneResult>)>;
  using BulkDone = std::function<void(core::Result<BulkOutcome>)>;
  using BackfillDone = std::function<void(core::Result<BackfillResult>)>;
  using ResumeDone = std::function<void(core::Result<std::vector<core::Job>>)>;

  virtual ~JobStore() = default;

  // The writes a person asks for (create, update, delete, trigger, backfill,
  // bulk changes) take an Audit: when given, the store records the change in
  // the audit log in the same transaction (one entry per job changed; none
  // for a write that fails or changes nothing), docs/decisions/0015-audit-log.md.

  // Inserts `job` (its id is assigned here) and calls `done` once the
  // transaction is durable, with the stored job, or with an error if nothing
  // was written: JobNameTaken when another job of its namespace has its name
  // (names are unique per namespace, docs/decisions/0009-job-identity.md). `done` runs on a store thread: keep it short
  // and hand work elsewhere. Concurrent creates may share one transaction (group commit).
  virtual void CreateJob(core::Job job, JobCallback done, Audit audit = std::nullopt) = 0;

  // Reads the job, lets `change` compute its new state from the current one,
  // and writes that, all in one transaction: nothing can slip in between.
  // `change` runs on a store thread and may fail (a stale If-Match, bad
  // input); then nothing is written. kNotFound for a missing job;
  // JobNameTaken for a rename to a name its namespace already has.
  using JobChange = std::function<core::Result<core::Job>(const core::Job& current)>;
  virtual void UpdateJob(core::JobId id, JobChange change, JobCallback done, Audit audit = std::nullopt) = 0;

  // Deletes the job and its runs once `check` accepts the current job (it
  // may refuse, e.g. on a stale If-Match). kNotFound for a missing job.
  virtual void DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job& current)> check,
                         std::function<void(core::Result<void>)> done, Audit audit = std::nullopt) = 0;

  // Queues a run of the job now, outside its schedule (trigger "manual").
  // kConflict when the job's overlap policy is skip and a run of it has not
  // finished; under allow it runs alongside, under queue after the others.
  virtual void TriggerJob(core::JobId id, core::TimePoint now, RunDone done, Audit audit = std::nullopt) = 0;

  // Queues one run, trigger "backfill", for each occurrence `planner` names
  // for the job (read in the same transaction), in ONE transaction, oldest
  // first (ids ascend with scheduled_for). An occurrence that already has a
  // run of the schedule or of a backfill (the unique key on job and
  // scheduled_for covers both) is counted as existing, never run twice.
  // The runs are available at once (no jitter) and follow the job's overlap
  // policy when claimed (see RunQueue::ClaimRuns); the job's next_run,
  // last_run and version do not change, and a paused job may be backfilled.
  // kNotFound for a missing job; the planner's error as it is.
  virtual void BackfillJob(core::JobId id, core::TimePoint now, BackfillPlanner planner, BackfillDone done,
                           Audit audit = std::nullopt) = 0;

  // Cancels run `run_id` of job `job_id`: a queued run ends at once as
  // cancelled; a running one is marked (cancel_requested_at) for its executor
  // to stop, and ends as cancelled when it does. kNotFound (RunNotFound) for a
  // missing run and, alike, for a run not of that job; kConflict for a run that has already ended. Answers with the run
  // as it is after the change.
  virtual void CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now, RunDone done) = 0;

  // Applies `action` to each of `ids` (at most a few hundred: one batch of a
  // bulk change) in ONE transaction, with the rules of the single-job
  // operations: pause and resume as UpdateJob with is_active (version bumped,
  // next_run recomputed from `now` on resume), trigger as TriggerJob (run
  // quota, overlap skip), delete as DeleteJob. A job that is missing, or not
  // of `only_namespace` when one is given (the same kNotFound), or that the
  // action refuses goes to BulkOutcome::failed and the others still commit;
  // a database error fails the whole batch and writes nothing. The changes
  // are published on the change feed after the commit, as single ones are.
  // `done` runs on a store thread.
  virtual void ChangeJobs(std::vector<core::JobId> ids, JobAction action, core::TimePoint now,
                          std::optional<std::string> only_namespace, BulkDone done, Audit audit = std::nullopt) = 0;

  // Cancels each of `ids` as CancelRun does, in ONE transaction: a queued run
  // ends cancelled, a running one is asked to stop (BulkOutcome::stopping); a
  // run that has ended, or was already asked to stop, is unchanged; a missing
  // run, or one of a job outside `only_namespace`, fails as RunNotFound.
  // A database error fails the whole batch.
  virtual void CancelRuns(std::vector<core::RunId> ids, core::TimePoint now, std::optional<std::string> only_namespace,
                          BulkDone done) = 0;

  // The job with this id, or kNotFound.
  virtual core::Result<core::Job> GetJob(core::JobId id) = 0;

  // The same as one shared, immutable snapshot: GET /jobs/{id}'s read. A store
  // that caches jobs (SQLite) hands out its cached snapshot, copying nothing,
  // and the snapshot carries the API's encoded form (JobSnapshot).
  virtual core::Result<std::shared_ptr<const JobSnapshot>> GetJobSnapshot(core::JobId id) {
    auto job = GetJob(id);
    if (!job) return job.error();
    return std::make_shared<const JobSnapshot>(std::move(*job));
  }

  // Up to query.limit jobs matching its filters, after its cursor, in its order.
  virtual core::Result<std::vector<core::Job>> ListJobs(const JobListQuery& query) = 0;

  // The same as shared snapshots: GET /jobs's read. SQLite takes the snapshot
  // its cache holds of a row it reads again unchanged (and with it the
  // encoded form the API made), instead of decoding the row.
  virtual core::Result<std::vector<std::shared_ptr<const JobSnapshot>>> ListJobSnapshots(const JobListQuery& query) {
    auto jobs = ListJobs(query);
    if (!jobs) return jobs.error();
    std::vector<std::shared_ptr<const JobSnapshot>> snapshots;
    snapshots.reserve(jobs->size());
    for (core::Job& job : *jobs) snapshots.push_back(std::make_shared<const JobSnapshot>(std::move(job)));
    return snapshots;
  }

  // The states of the newest `count` finished runs of each of `jobs`, newest
  // first (empty for a job without one): the strip of recent outcomes a job
  // list shows. One read for the whole page.
  virtual core::Result<std::map<core::JobId, std::vector<core::RunState>>> RecentRunStates(
      const std::vector<core::JobId>& jobs, std::size_t count) = 0;

  // The figures of the console's overview (GET /stats), read in one snapshot:
  // the window's runs from the roll-ups the triggers of migration 0021 keep
  // (a few rows per bucket) and failing_jobs, the unfinished runs and the
  // jobs' counts through indexes. kInvalidArgument (field bucket_width) for
  // buckets the roll-ups do not keep.
  virtual core::Result<StoreStats> Stats(const StatsQuery& query) = 0;

  // Retention of the roll-ups: deletes up to `limit` rows in all of
  // run_stats and run_lateness whose bucket starts before `before`; answers
  // how many. Runs themselves are not touched.
  virtual void PruneRunRollupsBefore(core::TimePoint before, std::size_t limit, PrunedDone done) = 0;

  // Succeeds when the database answers a trivial query.
  virtual core::Result<void> Ping() = 0;

  // The earliest next_run among active jobs, or paused_until among paused
  // ones (the scheduler resumes them then); nullopt when nothing is scheduled.
  virtual core::Result<std::optional<core::TimePoint>> NextDueTime() = 0;

  // Fires up to `limit` active jobs due at or before `now`, oldest first: in
  // ONE transaction, inserts the runs `planner` asks for (an occurrence that
  // already has a run is skipped, never doubled) and advances each job's
  // next_run and last_run, only if next_run still holds the value read.
  // `done` runs on a store thread after the commit.
  virtual void FireDueJobs(core::TimePoint now, std::size_t limit, FirePlanner planner, FireDone done) = 0;

  // Resumes up to `limit` paused jobs whose paused_until is at or before
  // `now`, earliest first, as core::ResumeAtPauseEnd says, in ONE
  // transaction. Each is a conditional UPDATE (the job still paused, with the
  // same paused_until), so when several nodes (or stores) race for a job only
  // one resumes it, once; a job resumed or re-paused meanwhile is left alone.
  // Answers the jobs this call resumed; their changes are published as
  // UpdateJob's are. `done` runs on a store thread after the commit, or on
  // the calling thread when a read finds no pause that has ended (the
  // scheduler asks on every pass: no write then). With `audit`, each job
  // resumed is recorded as job.resumed at the write's now, in the same
  // transaction (the scheduler's actor is "scheduler").
  virtual void ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done,
                                Audit audit = std::nullopt) = 0;

  // Retention. Deletes up to `limit` finished runs (and their attempts)
  // that finished before `before`, oldest first; answers how many.
  virtual void PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit, PrunedDone done) = 0;
  // For up to `job_limit` jobs with ids above `after_job`, deletes the
  // finished runs beyond each job's newest `keep` finished runs, at most
  // `limit` runs in all. Unfinished runs are never touched.
  virtual void PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit, std::size_t limit,
                               PruneBeyondDone done) = 0;

  // The run with this id, or kNotFound.
  virtual core::Result<core::Run> GetRun(core::RunId id) = 0;
  // The earlier attempts of the run, oldest first (empty when it has had
  // one attempt), or kNotFound when there is no such run.
  virtual core::Result<std::vector<core::RunAttempt>> ListRunAttempts(core::RunId id) = 0;
  // Runs newest first, optionally of one job.
  virtual core::Result<std::vector<core::Run>> ListRuns(const RunListQuery& query) = 0;
};

// The kNotFound of a run that does not exist. Also the answer for a run of
// another job where a job's run is asked for: the two must read alike, or a
// caller learns which run ids exist in namespaces it cannot see.
core::Error RunNotFound(core::RunId id);
// The kNotFound of a job that does not exist; also what a bulk change
// answers for a job outside its namespace.
core::Error JobNotFound(core::JobId id);
// What CreateJob and UpdateJob answer when another job of the namespace
// already has the name: kConflict, field "name". Also what a dry run, which
// only reads, answers in the same case.
core::Error JobNameTaken(const std::string& name, const std::string& job_namespace);

// Whether `error`, from an insert or update of the jobs table, is the unique
// index on (namespace, name) refusing the row (SQLite and PostgreSQL spell
// it differently).
bool IsJobNameConflict(const core::Error& error);

// Whether `error`, met while applying a bulk change to one job or run, only
// refuses that one (missing, conflict, quota, bad input) rather than failing
// the batch (the database's errors).
bool IsBulkRefusal(const core::Error& error);

// The job as pausing (`active` false) or resuming leaves it, validated as
// UpdateJob's change would be; nullopt when it already is so.
core::Result<std::optional<core::Job>> JobWithActive(const core::Job& current, bool active, core::TimePoint now);

// Blocking forms of the asynchronous writes, for tests, tools and loops that
// own a thread anyway.
core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job);
core::Result<FireResult> FireDueJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                            FirePlanner planner);
core::Result<std::vector<core::Job>> ResumePausedJobsAndWait(JobStore& store, core::TimePoint now, std::size_t limit,
                                                             Audit audit = std::nullopt);
core::Result<BulkOutcome> ChangeJobsAndWait(JobStore& store, std::vector<core::JobId> ids, JobAction action,
                                            core::TimePoint now, std::optional<std::string> only_namespace = {});
core::Result<BackfillResult> BackfillJobAndWait(JobStore& store, core::JobId id, core::TimePoint now,
                                                BackfillPlanner planner);
core::Result<BulkOutcome> CancelRunsAndWait(JobStore& store, std::vector<core::RunId> ids, core::TimePoint now,
                                            std::optional<std::string> only_namespace = {});

}  // namespace jobsched::store
