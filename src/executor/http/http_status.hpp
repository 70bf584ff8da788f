#pragma once

#include <string_view>

namespace jobsched::executor::http {

// The usual reason phrase of an HTTP status ("Service Unavailable" for 503),
// for error messages when the server sent none (HTTP/2 never does). Empty for
// statuses without a registered phrase.
std::string_view StandardReason(int status);

}  // namespace jobsched::executor::http
