#include "api/key_handlers.hpp"

#include <optional>
#include <string>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/new_key.hpp"
#include "api/problem.hpp"
#include "api/request_audit.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

json::value Time(const std::optional<core::TimePoint>& time) {
  return time ? json::value(core::FormatRfc3339(*time)) : json::value(nullptr);
}

json::object KeyObject(const core::ApiKey& key) {
  json::object object;
  object["name"] = key.name;
  object["role"] = core::ToString(key.role);
  object["namespace"] = key.namespace_name;
  object["rate_limit"] = key.rate_limit ? json::value(*key.rate_limit) : json::value(nullptr);
  object["created_at"] = core::FormatRfc3339(key.created_at);
  object["expires_at"] = Time(key.expires_at);
  object["revoked_at"] = Time(key.revoked_at);
  return object;
}

// One optional string member: absent or null leaves `target` alone.
core::Result<void> ReadString(const json::value& value, std::string_view name, std::optional<std::string>& target) {
  if (value.is_null()) return core::Ok();
  if (!value.is_string())
    return core::Error::InvalidArgument(std::string(name), std::string(name) + ": must be a string");
  target = std::string(value.as_string().data(), value.as_string().size());
  return core::Ok();
}

core::Result<NewKeyRequest> DecodeNewKey(const HttpRequest& request) {
  auto body = DecodeJsonObject(request);
  if (!body) return body.error();
  std::optional<std::string> name, role, key_namespace, expires_in;
  NewKeyRequest key;
  for (const auto& member : *body) {
    const std::string_view field(member.key().data(), member.key().size());
    const json::value& value = member.value();
    core::Result<void> read = core::Ok();
    if (field == "name") {
      read = ReadString(value, field, name);
    } else if (field == "role") {
      read = ReadString(value, field, role);
    } else if (field == "namespace") {
      read = ReadString(value, field, key_namespace);
    } else if (field == "expires_in") {
      read = ReadString(value, field, expires_in);
    } else if (field == "rate_limit") {
      if (!value.is_null() && !value.is_int64()) {
        return core::Error::InvalidArgument("rate_limit", "rate_limit: must be an integer (0: no limit) or null");
      }
      if (value.is_int64()) key.rate_limit = value.as_int64();
    } else {
      const std::string unknown(field.substr(0, 64));
      return core::Error::InvalidArgument(
          unknown, "unknown field '" + unknown + "'; a key takes name, role, namespace, expires_in and rate_limit");
    }
    if (!read) return read.error();
  }
  if (!name) return core::Error::InvalidArgument("name", "name: required");
  if (!role) return core::Error::InvalidArgument("role", "role: required, one of read, write and admin");
  key.name = std::move(*name);
  key.role = std::move(*role);
  if (key_namespace) key.namespace_name = std::move(*key_namespace);
  key.expires_in = std::move(expires_in);
  return key;
}

void CreateKey(store::ApiKeyStore& store, const core::Clock& clock, const HttpRequest& request, Responder respond) {
  auto asked = DecodeNewKey(request);
  if (!asked) return respond(JsonBodyProblem(asked.error()));
  auto made = PrepareKey(*asked, clock.Now(), kKeyMembers);
  if (!made) return respond(ProblemResponse(made.error()));
  store.CreateApiKey(
      std::move(made->key),
      [token = std::move(made->token), respond = std::move(respond)](core::Result<core::ApiKey> stored) {
        if (!stored) return respond(ProblemResponse(stored.error()));
        json::object body = KeyObject(*stored);
        body["token"] = token;
        HttpResponse response = JsonResponse(201, json::serialize(body));
        // The token is shown this once and must not linger in a cache.
        response.SetHeader("Cache-Control", "no-store");
        respond(std::move(response));
      },
      RequestAudit(request, clock.Now(), core::audit_action::kKeyCreated));
}

}  // namespace

void RegisterKeyHandlers(Router& router, store::ApiKeyStore& store, const core::Clock& clock) {
  router.Add("GET", "/keys", [&store](HttpRequest&& request, const PathParams&, const Responder& respond) {
    auto keys = store.ListApiKeys();
    if (!keys) return respond(ProblemResponse(keys.error()));
    json::array list;
    list.reserve(keys->size());
    for (const core::ApiKey& key : *keys) list.push_back(KeyObject(key));
    std::string body = json::serialize(list);
    std::string etag = ContentETag(body);
    respond(CacheableJsonResponse(request, std::move(body), std::move(etag)));
  });
  router.Add("POST", "/keys", [&store, &clock](HttpRequest&& request, const PathParams&, Responder respond) {
    CreateKey(store, clock, request, std::move(respond));
  });
  router.Add("DELETE", "/keys/{name}",
             [&store, &clock](HttpRequest&& request, const PathParams& params, Responder respond) {
               const auto name = params.find("name");
               store.RevokeApiKey(
                   name->second, clock.Now(),
                   [respond = std::move(respond)](core::Result<core::ApiKey> revoked) {
                     if (!revoked) return respond(ProblemResponse(revoked.error()));
                     respond(JsonResponse(200, json::serialize(KeyObject(*revoked))));
                   },
                   RequestAudit(request, clock.Now(), core::audit_action::kKeyRevoked));
             });
}

std::string EncodeKey(const core::ApiKey& key) { return json::serialize(KeyObject(key)); }

}  // namespace jobsched::api
