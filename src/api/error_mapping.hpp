#pragma once

#include "core/error.hpp"

namespace jobsched::api {

// The one place where an error code becomes an HTTP status.
int HttpStatusFor(core::ErrorCode code);

}  // namespace jobsched::api
