// The operator's quotas (StoreLimits) in SQLite. Every write runs on the one
// writer thread, in order, so a check and the write it guards cannot be
// interleaved with another write: the quotas hold exactly.
#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::store::sqlite {

core::Result<void> SqliteJobStore::TakeNamespaceRoom(SqliteConnection& db, const std::string& job_namespace) {
  auto counted = namespace_jobs_.find(job_namespace);
  if (counted == namespace_jobs_.end()) {
    // Walks jobs_by_namespace once per namespace; creates keep it current.
    auto count = db.Cached("SELECT count(*) FROM jobs WHERE namespace = ?");
    if (!count) return count.error();
    (*count)->Bind(1, job_namespace);
    auto row = (*count)->Step();
    if (!row) return row.error();
    counted = namespace_jobs_.emplace(job_namespace, static_cast<std::size_t>((*count)->ColumnInt(0))).first;
  }
  if (counted->second >= limits_.max_jobs_per_namespace) {
    return NamespaceFull(job_namespace, limits_.max_jobs_per_namespace);
  }
  // Counted now, before the insert and the commit: a later create of the same
  // transaction must see it. A refusal gives it back (GiveBackNamespaceRoom).
  ++counted->second;
  return core::Ok();
}

void SqliteJobStore::GiveBackNamespaceRoom(const std::string& job_namespace) {
  if (auto counted = namespace_jobs_.find(job_namespace); counted != namespace_jobs_.end() && counted->second > 0) {
    --counted->second;
  }
}

void SqliteJobStore::ForgetNamespaceCount(const std::string& job_namespace) { namespace_jobs_.erase(job_namespace); }

core::Result<void> SqliteJobStore::CheckRunQuota(SqliteConnection& db, core::JobId job_id, core::TimePoint now) const {
  if (limits_.max_runs_per_job_per_minute == 0) return core::Ok();
  // The job's newest runs by id (runs_by_job), at most the quota of them:
  // the quota is reached when that many were created within the window.
  auto recent = db.Cached(
      "SELECT count(*), min(created_at) FROM "
      "(SELECT created_at FROM runs WHERE job_id = ?1 ORDER BY id DESC LIMIT ?2) WHERE created_at > ?3");
  if (!recent) return recent.error();
  (*recent)
      ->Bind(1, job_id)
      .Bind(2, static_cast<std::int64_t>(limits_.max_runs_per_job_per_minute))
      .Bind(3, core::ToUnixMs(now - kRunQuotaWindow));
  auto row = (*recent)->Step();
  if (!row) return row.error();
  if (static_cast<std::size_t>((*recent)->ColumnInt(0)) < limits_.max_runs_per_job_per_minute) return core::Ok();
  return RunQuotaReached(job_id, limits_.max_runs_per_job_per_minute, core::FromUnixMs((*recent)->ColumnInt(1)), now);
}

}  // namespace jobsched::store::sqlite
