#pragma once

#include <string_view>

#include "api/http_message.hpp"
#include "api/http_problem.hpp"
#include "core/error.hpp"

namespace jobsched::api {

// The problem response for an error from the layers below, with the status
// chosen by error_mapping.
HttpResponse ProblemResponse(const core::Error& error);

}  // namespace jobsched::api
