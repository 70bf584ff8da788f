#pragma once

#include <string_view>

#include "api/http_message.hpp"
#include "core/error.hpp"

namespace jobsched::api {

// An RFC 9457 problem+json response. `field`, when not empty, names the
// request field at fault; `code` is our machine-readable error code.
HttpResponse ProblemResponse(int status, std::string_view detail, std::string_view field = {},
                             std::string_view code = {});

// The problem response for an error from the layers below, with the status
// chosen by error_mapping.
HttpResponse ProblemResponse(const core::Error& error);

// The reason phrase of an HTTP status code: 404 -> "Not Found".
std::string_view StatusTitle(int status);

}  // namespace jobsched::api
