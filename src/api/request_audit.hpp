#pragma once

#include <string_view>

#include "api/http_message.hpp"
#include "core/audit_entry.hpp"
#include "core/time.hpp"
#include "store/audit_context.hpp"

namespace jobsched::api {

// The audit context of the change `request` asks for at `now`
// (docs/decisions/0015-audit-log.md): its caller's key (or "local" without
// authentication), the client's address and the request id, as AccessControl
// and Api::Handle established them; before/after described as the API shows
// jobs and keys (EncodeJob, EncodeKey: secrets REDACTED). `action` is what an
// UpdateJob records.
store::AuditContext RequestAudit(const HttpRequest& request, core::TimePoint now,
                                 std::string_view action = core::audit_action::kJobUpdated);

// The audit context of the service's own changes (a pause reaching its end):
// actor `actor` with no key, address or request id, described as the API
// shows jobs and keys. Its time is the write's (ResumeAuditEntry sets it).
store::AuditContext ServiceAudit(std::string_view actor);

}  // namespace jobsched::api
