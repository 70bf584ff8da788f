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

}  // namespace jobsched::api
