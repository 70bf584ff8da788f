#include "store/audit_log.hpp"

#include <utility>

namespace jobsched::store {
namespace {

core::AuditEntry EntryOf(const AuditContext& audit, std::string_view action, std::string_view kind, std::int64_t id,
                         std::string job_namespace) {
  core::AuditEntry entry;
  entry.at = audit.at;
  entry.actor = audit.actor;
  entry.actor_key_id = audit.actor_key_id;
  entry.source = audit.source;
  entry.request_id = audit.request_id;
  entry.action = std::string(action);
  entry.target_kind = std::string(kind);
  entry.target_id = id;
  entry.namespace_name = std::move(job_namespace);
  return entry;
}

// Without a describer (a tool or test that gave none) an entry still says
// which row changed.
std::string Describe(const AuditContext& audit, const core::Job& job) {
  return audit.describe_job ? audit.describe_job(job) : "{\"id\":" + std::to_string(job.id) + "}";
}

std::string Describe(const AuditContext& audit, const core::ApiKey& key) {
  return audit.describe_key ? audit.describe_key(key) : "{\"id\":" + std::to_string(key.id) + "}";
}

}  // namespace

const std::string_view kAuditColumns =
    "id, at, actor, actor_key_id, source, request_id, action, target_kind, target_id, namespace, before, after";
const std::string_view kAuditInsertColumns =
    "at, actor, actor_key_id, source, request_id, action, target_kind, target_id, namespace, before, after";

std::optional<core::AuditEntry> JobAuditEntry(const AuditContext& audit, std::string_view action, core::JobId id,
                                              const std::string& job_namespace, const core::Job* before,
                                              const core::Job* after) {
  core::AuditEntry entry = EntryOf(audit, action, core::kAuditJob, id, job_namespace);
  if (before != nullptr) entry.before = Describe(audit, *before);
  if (after != nullptr) entry.after = Describe(audit, *after);
  if (entry.before && entry.after && *entry.before == *entry.after) return std::nullopt;
  return entry;
}

std::optional<core::AuditEntry> ResumeAuditEntry(const Audit& audit, core::TimePoint now, const core::Job& paused,
                                                 const core::Job& resumed) {
  if (!audit) return std::nullopt;
  AuditContext at_now = *audit;
  at_now.at = now;
  return JobAuditEntry(at_now, core::audit_action::kJobResumed, paused.id, paused.namespace_name, &paused, &resumed);
}

core::AuditEntry RunNowAuditEntry(const AuditContext& audit, const core::Job& job, core::RunId run_id) {
  core::AuditEntry entry = EntryOf(audit, core::audit_action::kJobRunNow, core::kAuditJob, job.id, job.namespace_name);
  entry.after = "{\"run_id\":" + std::to_string(run_id) + "}";
  return entry;
}

core::AuditEntry BackfillAuditEntry(const AuditContext& audit, const core::Job& job, std::size_t created,
                                    std::size_t existing) {
  core::AuditEntry entry =
      EntryOf(audit, core::audit_action::kJobBackfilled, core::kAuditJob, job.id, job.namespace_name);
  std::string after = "{";
  if (!audit.detail.empty()) after += audit.detail + ",";
  after += "\"created\":" + std::to_string(created) + ",\"existing\":" + std::to_string(existing) + "}";
  entry.after = std::move(after);
  return entry;
}

core::AuditEntry KeyAuditEntry(const AuditContext& audit, std::string_view action, const core::ApiKey* before,
                               const core::ApiKey& after) {
  core::AuditEntry entry = EntryOf(audit, action, core::kAuditKey, after.id, after.namespace_name);
  if (before != nullptr) entry.before = Describe(audit, *before);
  entry.after = Describe(audit, after);
  return entry;
}

std::string_view BulkAuditAction(JobAction action) {
  switch (action) {
    case JobAction::kPause: return core::audit_action::kJobPaused;
    case JobAction::kResume: return core::audit_action::kJobResumed;
    case JobAction::kTrigger: return core::audit_action::kJobRunNow;
    case JobAction::kDelete: return core::audit_action::kJobDeleted;
  }
  return core::audit_action::kJobUpdated;
}

AuditSql BuildAuditSql(const AuditQuery& query, const std::function<std::string(int)>& placeholder) {
  AuditSql sql;
  std::string where;
  const auto condition = [&where](const std::string& text) { where += (where.empty() ? " WHERE " : " AND ") + text; };
  const auto text = [&](const char* column, const std::optional<std::string>& value) {
    if (!value) return;
    sql.texts.push_back(*value);
    condition(std::string(column) + " = " + placeholder(static_cast<int>(sql.texts.size())));
  };
  text("action", query.action);
  text("actor", query.actor);
  text("namespace", query.job_namespace);
  text("target_kind", query.target_kind);
  const auto number = [&](const std::string& before_placeholder, std::int64_t value) {
    sql.numbers.push_back(value);
    condition(before_placeholder + placeholder(static_cast<int>(sql.texts.size() + sql.numbers.size())));
  };
  if (query.target_id) number("target_id = ", *query.target_id);
  if (query.since) number("at >= ", core::ToUnixMs(*query.since));
  if (query.until) number("at < ", core::ToUnixMs(*query.until));
  if (query.before_id) number("id < ", *query.before_id);
  sql.numbers.push_back(static_cast<std::int64_t>(query.limit));
  sql.where_order_limit =
      where + " ORDER BY id DESC LIMIT " + placeholder(static_cast<int>(sql.texts.size() + sql.numbers.size()));
  return sql;
}

}  // namespace jobsched::store
