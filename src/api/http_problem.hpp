#pragma once

#include <string_view>

#include "api/http_message.hpp"

namespace jobsched::api {

// An RFC 9457 problem+json response: the one writer of problem details, for
// the handlers (api/problem.hpp adds the form for core::Error) and for the
// answers the HTTP server gives itself. `field`, when not empty, names the
// request field at fault; `code` is our machine-readable error code. Details
// and fields are made valid UTF-8 first.
HttpResponse ProblemResponse(int status, std::string_view detail, std::string_view field = {},
                             std::string_view code = {});

// The reason phrase of an HTTP status code: 404 -> "Not Found".
std::string_view StatusTitle(int status);

}  // namespace jobsched::api
