#pragma once

#include <string>
#include <string_view>

#include "api/http_message.hpp"
#include "api/trusted_proxies.hpp"

namespace jobsched::api {

// Where a browser request came from, for the console's CSRF defence
// (docs/decisions/0008): the request's own origin is the scheme the client
// used (https only when a trusted proxy says so with X-Forwarded-Proto: this
// server speaks plain HTTP) and its Host header.

// Whether the client reached us over TLS (see TrustedProxies::ForwardedOverTls).
bool CameOverTls(const HttpRequest& request, const TrustedProxies& proxies);

// "http://jobsched.example:8080": the request's own origin, lower case, the
// scheme's default port left out; "" without a Host header.
std::string OwnOrigin(const HttpRequest& request, const TrustedProxies& proxies);

// Whether `origin` (an Origin header: "scheme://host[:port]") is the
// request's own. "null", a path, or anything malformed is not.
bool IsOwnOrigin(std::string_view origin, const HttpRequest& request, const TrustedProxies& proxies);

}  // namespace jobsched::api
