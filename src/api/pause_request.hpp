#pragma once

#include "api/http_message.hpp"
#include "core/job_pause.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// The body of POST /jobs/{id}/pause: none (or only white space), or a JSON
// object with optional `reason` and `until`, each a string or null. Its
// errors are DecodeJsonObject's (answer them with JsonBodyProblem), or
// kInvalidArgument naming a member of the wrong type or an unknown one.
core::Result<core::PauseRequest> DecodePauseRequest(const HttpRequest& request);

}  // namespace jobsched::api
