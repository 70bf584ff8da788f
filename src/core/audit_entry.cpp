#include "core/audit_entry.hpp"

#include <algorithm>
#include <array>

namespace jobsched::core {
namespace {

constexpr std::array<std::string_view, 9> kActions{
    audit_action::kJobCreated,    audit_action::kJobUpdated, audit_action::kJobPaused,
    audit_action::kJobResumed,    audit_action::kJobDeleted, audit_action::kJobRunNow,
    audit_action::kJobBackfilled, audit_action::kKeyCreated, audit_action::kKeyRevoked};

}  // namespace

std::span<const std::string_view> AuditActions() { return kActions; }

bool IsAuditAction(std::string_view action) {
  return std::find(kActions.begin(), kActions.end(), action) != kActions.end();
}

std::string AuditActor(std::string_view key_name) {
  return key_name.empty() ? std::string(kLocalActor) : std::string(key_name);
}

Result<void> CheckAuditRange(const std::optional<TimePoint>& since, const std::optional<TimePoint>& until) {
  if (since && until && *until <= *since) {
    return Error::InvalidArgument("until", "until: must be after since");
  }
  return Ok();
}

}  // namespace jobsched::core
