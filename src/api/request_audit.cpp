#include "api/request_audit.hpp"

#include <string>

#include "api/json_codec.hpp"
#include "api/key_handlers.hpp"

namespace jobsched::api {

namespace {

void Describe(store::AuditContext& audit) {
  audit.describe_job = [](const core::Job& job) { return EncodeJob(job); };
  audit.describe_key = [](const core::ApiKey& key) { return EncodeKey(key); };
}

}  // namespace

store::AuditContext ServiceAudit(std::string_view actor) {
  store::AuditContext audit;
  audit.actor = std::string(actor);
  Describe(audit);
  return audit;
}

store::AuditContext RequestAudit(const HttpRequest& request, core::TimePoint now, std::string_view action) {
  store::AuditContext audit;
  audit.at = now;
  audit.actor = core::AuditActor(request.caller.key_name);
  if (!request.caller.key_name.empty()) audit.actor_key_id = request.caller.key_id;
  audit.source = request.caller.address.empty() ? request.remote_address : request.caller.address;
  audit.request_id = request.request_id;
  audit.action = std::string(action);
  Describe(audit);
  return audit;
}

}  // namespace jobsched::api
