#pragma once

#include "api/router.hpp"
#include "store/audit_log.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// The audit log over HTTP (docs/decisions/0015-audit-log.md), newest first,
// paged by keyset (limit, cursor, Link rel="next"):
//   GET /jobs/{id}/history  one job's entries, for whoever may read the job;
//                           also once the job is deleted (then an entry of a
//                           namespace the caller may read must exist: else 404)
//   GET /audit              every entry (admin), filtered by action, actor,
//                           namespace, target (a job id), since and until
// `jobs` and `audit` must outlive the router.
void RegisterAuditHandlers(Router& router, store::JobStore& jobs, store::AuditLog& audit);

}  // namespace jobsched::api
