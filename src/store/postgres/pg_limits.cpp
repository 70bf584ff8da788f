#include "store/postgres/pg_limits.hpp"

#include "store/store_limits.hpp"

namespace jobsched::store::postgres {
namespace {

// The class of jobsched's advisory locks on namespaces: the first key of the
// two-key form, so another application's locks never collide with ours.
constexpr int kNamespaceLockClass = 0x6a73;  // "js"

}  // namespace

core::Result<void> CheckNamespaceRoom(PgConnection& db, const std::string& job_namespace, std::size_t max_jobs) {
  if (max_jobs == 0) return core::Ok();
  auto locked = db.Query("SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))",
                         PgParams().Add(std::int64_t{kNamespaceLockClass}).Add(job_namespace));
  if (!locked) return locked.error();
  // Index-only on jobs_by_namespace, stopping at the quota.
  auto counted = db.Query("SELECT count(*) FROM (SELECT 1 FROM jobs WHERE namespace = $1 LIMIT $2) AS j",
                          PgParams().Add(job_namespace).Add(static_cast<std::int64_t>(max_jobs)));
  if (!counted) return counted.error();
  if (static_cast<std::size_t>(counted->Int(0, 0)) >= max_jobs) return NamespaceFull(job_namespace, max_jobs);
  return core::Ok();
}

core::Result<void> CheckRunQuota(PgConnection& db, core::JobId job_id, core::TimePoint now, std::size_t max_runs) {
  if (max_runs == 0) return core::Ok();
  // The job's newest runs by id (runs_by_job), at most the quota of them.
  auto recent = db.Query(
      "SELECT count(*), min(created_at) FROM "
      "(SELECT created_at FROM runs WHERE job_id = $1 ORDER BY id DESC LIMIT $2) AS r WHERE created_at > $3",
      PgParams().Add(job_id).Add(static_cast<std::int64_t>(max_runs)).Add(core::ToUnixMs(now - kRunQuotaWindow)));
  if (!recent) return recent.error();
  if (static_cast<std::size_t>(recent->Int(0, 0)) < max_runs) return core::Ok();
  return RunQuotaReached(job_id, max_runs, core::FromUnixMs(recent->Int(0, 1)), now);
}

}  // namespace jobsched::store::postgres
