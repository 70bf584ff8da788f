#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// One recorded change to a job or an API key (docs/decisions/0015-audit-log.md),
// written by the store in the transaction of the change itself.
struct AuditEntry {
  std::int64_t id = 0;                       // assigned by the store; ascends, never reused
  TimePoint at;                              // when the change was asked for (the handler's clock)
  std::string actor;                         // the API key's name, or kLocalActor without authentication
  std::optional<std::int64_t> actor_key_id;  // that key's id; nullopt for kLocalActor
  std::string source;                        // the client's address; empty when none (a tool)
  std::string request_id;                    // the request's X-Request-Id; empty when none
  std::string action;                        // one of AuditActions()
  std::string target_kind;                   // kAuditJob or kAuditKey
  std::int64_t target_id = 0;                // the job's or the key's id
  std::string namespace_name;                // the job's (or the key's) namespace
  // The target as the API shows it, JSON, secrets REDACTED: nullopt before a
  // creation and after a deletion. For a run now or a backfill, `after` says
  // what was queued instead (the job itself does not change).
  std::optional<std::string> before;
  std::optional<std::string> after;
};

inline constexpr std::string_view kLocalActor = "local";
inline constexpr std::string_view kAuditJob = "job";
inline constexpr std::string_view kAuditKey = "key";

// The actions, as stored and as GET /audit?action= filters them.
namespace audit_action {
inline constexpr std::string_view kJobCreated = "job.created";
inline constexpr std::string_view kJobUpdated = "job.updated";
inline constexpr std::string_view kJobPaused = "job.paused";
inline constexpr std::string_view kJobResumed = "job.resumed";
inline constexpr std::string_view kJobDeleted = "job.deleted";
inline constexpr std::string_view kJobRunNow = "job.run_now";
inline constexpr std::string_view kJobBackfilled = "job.backfilled";
inline constexpr std::string_view kKeyCreated = "key.created";
inline constexpr std::string_view kKeyRevoked = "key.revoked";
}  // namespace audit_action

// Every action above, in that order (the OpenAPI enum lists the same).
std::span<const std::string_view> AuditActions();

// Whether `action` is one of AuditActions().
bool IsAuditAction(std::string_view action);

// Who an entry names: the API key's name, or kLocalActor when the request
// carried none (authentication off).
std::string AuditActor(std::string_view key_name);

// Checks a GET /audit time range: kInvalidArgument naming "until" when it is
// not after `since`.
Result<void> CheckAuditRange(const std::optional<TimePoint>& since, const std::optional<TimePoint>& until);

}  // namespace jobsched::core
