#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/http_message.hpp"

namespace jobsched::api {

// The cookie that names a console session (docs/decisions/0008).
inline constexpr std::string_view kSessionCookieName = "jobsched_session";

// The value of the first cookie named `name` in the request's Cookie headers
// ("a=b; c=d", RFC 6265 §5.4), or nullopt. Browsers send the cookie of the
// most specific path first.
std::optional<std::string_view> CookieValue(const HttpRequest& request, std::string_view name);

// The Set-Cookie value that gives the browser the session `id`:
// HttpOnly (no script reads it), SameSite=Strict (no other site's request
// carries it), Path=/ (the API and the console share it), Secure when the
// client came over TLS. No Max-Age: the browser forgets it when it closes;
// the service ends it after its idle timeout whatever the browser keeps.
std::string SessionCookie(std::string_view id, bool secure);

// The Set-Cookie value that makes the browser forget the session cookie.
std::string ExpiredSessionCookie(bool secure);

}  // namespace jobsched::api
