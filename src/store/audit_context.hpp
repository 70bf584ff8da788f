#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/api_key.hpp"
#include "core/audit_entry.hpp"
#include "core/job.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// Who asks for a change and from where, handed to the store with the write
// so that it records the change in the same transaction
// (docs/decisions/0015-audit-log.md). The store builds before/after from the
// rows it reads and writes inside that transaction, through the describers:
// the API's own JSON (api::EncodeJob, secrets REDACTED), so an entry shows a
// job exactly as GET /jobs/{id} did.
struct AuditContext {
  core::TimePoint at;
  std::string actor;  // core::AuditActor: the key's name, or "local"
  std::optional<std::int64_t> actor_key_id;
  std::string source;      // the client's address
  std::string request_id;  // empty when none
  // What UpdateJob records: job.updated, job.paused or job.resumed (the
  // other writes know their action).
  std::string action{core::audit_action::kJobUpdated};
  // For job.backfilled: JSON members (`"from":...,"to":...`) the entry's
  // `after` carries beside the counts.
  std::string detail;
  std::function<std::string(const core::Job&)> describe_job;
  std::function<std::string(const core::ApiKey&)> describe_key;
};

// The audit context of a write, or nullopt for a change nobody asked for
// (the scheduler's firing, a pause ending) and for tests that do not audit.
using Audit = std::optional<AuditContext>;

}  // namespace jobsched::store
