#include "api/new_key.hpp"

#include <utility>

#include "api/api_token.hpp"
#include "core/duration.hpp"

namespace jobsched::api {

core::Result<NewKey> PrepareKey(const NewKeyRequest& request, core::TimePoint now, const NewKeyFieldNames& names) {
  if (auto valid = core::ValidateKeyName(request.name); !valid) return valid.error();
  const auto role = core::ParseRole(request.role);
  if (!role) {
    return core::Error::InvalidArgument(
        std::string(names.role),
        std::string(names.role) + ": must be read, write or admin, got '" + request.role + "'");
  }
  if (auto valid = core::ValidateNamespace(request.namespace_name); !valid) return valid.error();
  if (request.rate_limit && (*request.rate_limit < 0 || *request.rate_limit > kMaxKeyRateLimit)) {
    return core::Error::InvalidArgument(
        std::string(names.rate_limit),
        std::string(names.rate_limit) + ": must be from 0 (no limit) to " + std::to_string(kMaxKeyRateLimit));
  }
  std::optional<core::Milliseconds> lifetime;
  if (request.expires_in) {
    auto parsed = core::ParseDuration(*request.expires_in, names.expires_in);
    if (!parsed) return parsed.error();
    lifetime = *parsed;
  }
  auto token = GenerateToken();
  if (!token) return token.error();
  NewKey made;
  made.key.name = request.name;
  made.key.role = *role;
  made.key.namespace_name = request.namespace_name;
  made.key.token_hash = HashToken(*token);
  made.key.rate_limit = request.rate_limit;
  made.key.created_at = now;
  if (lifetime) made.key.expires_at = now + *lifetime;
  made.token = std::move(token).value();
  return made;
}

}  // namespace jobsched::api
