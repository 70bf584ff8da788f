#include "api/session_handlers.hpp"

#include <optional>
#include <string>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/request_origin.hpp"
#include "api/session_cookie.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

json::value Time(const std::optional<core::TimePoint>& time) {
  return time ? json::value(core::FormatRfc3339(*time)) : json::value(nullptr);
}

// A Session: who the caller is, as the console shows it.
struct SessionView {
  bool authentication = false;
  std::optional<std::string> key_name;
  core::Role role = core::Role::kAdmin;
  std::optional<std::string> namespace_name;  // nullopt: every namespace
  std::optional<std::string> csrf_token;
  std::optional<core::TimePoint> expires_at;
};

HttpResponse SessionResponse(int status, const SessionView& view) {
  json::object body;
  body["authentication"] = view.authentication;
  body["key_name"] = view.key_name ? json::value(*view.key_name) : json::value(nullptr);
  body["role"] = core::ToString(view.role);
  body["namespace"] = view.namespace_name ? json::value(*view.namespace_name) : json::value(nullptr);
  body["csrf_token"] = view.csrf_token ? json::value(*view.csrf_token) : json::value(nullptr);
  body["expires_at"] = Time(view.expires_at);
  HttpResponse response = JsonResponse(status, json::serialize(body));
  // It carries the CSRF token: never kept by a cache.
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

std::optional<std::string> NamespaceOf(core::Role role, const std::string& home) {
  return role == core::Role::kAdmin ? std::nullopt : std::optional<std::string>(home);
}

core::Result<std::string> DecodeSignIn(const HttpRequest& request) {
  auto body = DecodeJsonObject(request);
  if (!body) return body.error();
  std::optional<std::string> token;
  for (const auto& member : *body) {
    const std::string_view key(member.key().data(), member.key().size());
    if (key != "token") {
      const std::string name(key.substr(0, 64));
      return core::Error::InvalidArgument(name, "unknown field '" + name + "'; a sign-in takes only token");
    }
    if (!member.value().is_string()) return core::Error::InvalidArgument("token", "token: must be a string");
    token = std::string(member.value().as_string().data(), member.value().as_string().size());
  }
  if (!token || token->empty()) {
    return core::Error::InvalidArgument("token", "token: required, an API key's token (jsk_...)");
  }
  return std::move(*token);
}

HttpResponse BadKey(std::optional<core::TimePoint> expired_at) {
  HttpResponse response = ProblemResponse(
      core::Error::Unauthenticated(expired_at ? "the API key expired at " + core::FormatRfc3339(*expired_at)
                                              : "the API key is not valid: unknown, revoked or malformed"));
  response.SetHeader("WWW-Authenticate", "Bearer realm=\"jobsched\", error=\"invalid_token\"");
  return response;
}

void SignIn(SessionManager& sessions, const ApiKeyCache* keys, const AccessControl& access, const core::Clock& clock,
            const HttpRequest& request, Responder respond) {
  auto token = DecodeSignIn(request);
  if (!token) return respond(JsonBodyProblem(token.error()));
  std::optional<AuthenticatedKey> key;
  if (keys != nullptr) key = keys->Find(*token);
  if (!key) return respond(BadKey(std::nullopt));
  if (core::KeyExpired(key->expires_at, clock.Now())) return respond(BadKey(key->expires_at));
  const bool secure = CameOverTls(request, access.trusted_proxies());
  sessions.Create(key->name, [key = *key, secure, respond = std::move(respond)](core::Result<CreatedSession> created) {
    if (!created) return respond(ProblemResponse(created.error()));
    SessionView view;
    view.authentication = true;
    view.key_name = key.name;
    view.role = key.role;
    view.namespace_name = NamespaceOf(key.role, key.namespace_name);
    view.csrf_token = created->csrf_token;
    view.expires_at = key.expires_at && *key.expires_at < created->expires_at ? *key.expires_at : created->expires_at;
    HttpResponse response = SessionResponse(201, view);
    response.SetHeader("Set-Cookie", SessionCookie(created->id, secure));
    respond(std::move(response));
  });
}

HttpResponse CurrentSession(const AccessControl& access, const HttpRequest& request) {
  const Caller& caller = request.caller;
  SessionView view;
  // With authentication off every caller is an anonymous admin; on, the
  // request reached here with a key or a session (AccessControl).
  view.authentication = access.AuthenticationOn() && !caller.key_name.empty();
  view.role = caller.role;
  if (view.authentication) {
    view.key_name = caller.key_name;
    view.namespace_name = NamespaceOf(caller.role, caller.home_namespace);
    if (caller.session) {
      view.csrf_token = caller.session->csrf_token;
      view.expires_at = caller.session->expires_at;
    } else {
      view.expires_at = caller.key_expires_at;
    }
  }
  return SessionResponse(200, view);
}

}  // namespace

void RegisterSessionHandlers(Router& router, SessionManager& sessions, const ApiKeyCache* keys,
                             const AccessControl& access, const core::Clock& clock) {
  router.Add("POST", "/sessions",
             [&sessions, keys, &access, &clock](HttpRequest&& request, const PathParams&, Responder respond) {
               SignIn(sessions, keys, access, clock, request, std::move(respond));
             });
  router.Add("GET", "/session", [&access](HttpRequest&& request, const PathParams&, const Responder& respond) {
    respond(CurrentSession(access, request));
  });
  router.Add("DELETE", "/session", [&sessions, &access](HttpRequest&& request, const PathParams&, Responder respond) {
    const bool secure = CameOverTls(request, access.trusted_proxies());
    auto signed_out = [secure, respond = std::move(respond)](const core::Result<void>& ended) {
      if (!ended) return respond(ProblemResponse(ended.error()));
      HttpResponse response;
      response.status = 204;
      response.SetHeader("Set-Cookie", ExpiredSessionCookie(secure));
      respond(std::move(response));
    };
    // A bearer token (or no authentication) has no session to end; the
    // cookie is cleared all the same.
    if (!request.caller.session) return signed_out(core::Ok());
    sessions.End(request.caller.session->id_hash, std::move(signed_out));
  });
}

}  // namespace jobsched::api
