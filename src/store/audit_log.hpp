#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_key.hpp"
#include "core/audit_entry.hpp"
#include "core/job.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "store/audit_context.hpp"
#include "store/job_store.hpp"

namespace jobsched::store {

// One page of GET /audit or GET /jobs/{id}/history: newest first (by id),
// every filter given must hold.
struct AuditQuery {
  std::optional<std::string> action;
  std::optional<std::string> actor;
  std::optional<std::string> job_namespace;
  std::optional<std::string> target_kind;  // with target_id: one job's (or key's) entries
  std::optional<std::int64_t> target_id;
  std::optional<core::TimePoint> since;   // at >= since
  std::optional<core::TimePoint> until;   // at < until
  std::optional<std::int64_t> before_id;  // keyset cursor: the last id of the previous page
  std::size_t limit = 100;
};

// Where audit entries are read and pruned; SqliteJobStore and
// PostgresJobStore write them inside their own write transactions.
class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Up to query.limit entries matching its filters, newest first.
  virtual core::Result<std::vector<core::AuditEntry>> ListAudit(const AuditQuery& query) = 0;

  // Retention: deletes up to `limit` entries older than `before` (their
  // `at`), oldest first; answers how many. `done` runs on a store thread.
  virtual void PruneAuditBefore(core::TimePoint before, std::size_t limit,
                                std::function<void(core::Result<std::size_t>)> done) = 0;
};

// The entry of a change to job `id` (of `job_namespace`) as `audit` tells who
// made it; `before`/`after` null for a creation / deletion. nullopt when
// both describe the job alike: a pause of a paused job changed nothing.
std::optional<core::AuditEntry> JobAuditEntry(const AuditContext& audit, std::string_view action, core::JobId id,
                                              const std::string& job_namespace, const core::Job* before,
                                              const core::Job* after);

// The entry of a pause reaching its end (ResumePausedJobs) at `now`, the
// write's time; nullopt without an audit context.
std::optional<core::AuditEntry> ResumeAuditEntry(const Audit& audit, core::TimePoint now, const core::Job& paused,
                                                 const core::Job& resumed);

// The entry of a run now: `after` names the run queued.
core::AuditEntry RunNowAuditEntry(const AuditContext& audit, const core::Job& job, core::RunId run_id);

// The entry of a backfill: `after` holds audit.detail and the counts.
core::AuditEntry BackfillAuditEntry(const AuditContext& audit, const core::Job& job, std::size_t created,
                                    std::size_t existing);

// The entry of a key's creation (before null) or revocation.
core::AuditEntry KeyAuditEntry(const AuditContext& audit, std::string_view action, const core::ApiKey* before,
                               const core::ApiKey& after);

// The action a bulk change records for each job it changes.
std::string_view BulkAuditAction(JobAction action);

// The columns of audit_log in the order each store's row reader takes them,
// and the INSERT's (all but id, numbered placeholders 1-11).
extern const std::string_view kAuditColumns;
extern const std::string_view kAuditInsertColumns;

// The WHERE ... ORDER BY ... LIMIT of a ListAudit, with placeholders written
// by `placeholder(n)` (SQLite "?n", PostgreSQL "$n") and the values to bind,
// in order: each is a string or an integer.
struct AuditSql {
  std::string where_order_limit;
  std::vector<std::string> texts;     // bound first, as placeholders 1..texts.size()
  std::vector<std::int64_t> numbers;  // then these
};
AuditSql BuildAuditSql(const AuditQuery& query, const std::function<std::string(int)>& placeholder);

}  // namespace jobsched::store
