#pragma once

#include <string>
#include <string_view>

#include "api/http_message.hpp"

namespace jobsched::api {

// A JSON response with the given status and body.
HttpResponse JsonResponse(int status, std::string body);

// A response for a GET: 200 with `body` and its ETag, or 304 with no body
// when the request's If-None-Match already names that ETag. Clients are told
// to revalidate (Cache-Control: no-cache) so they never see stale jobs.
HttpResponse CacheableJsonResponse(const HttpRequest& request, std::string body, std::string etag);

// Whether an If-None-Match header ("*" or a comma-separated list of tags, a
// `W/` prefix ignored) names `etag`.
bool IfNoneMatchHolds(std::string_view header, std::string_view etag);

// A strong ETag for any body: a quoted 64-bit FNV-1a hash.
std::string ContentETag(std::string_view body);

}  // namespace jobsched::api
