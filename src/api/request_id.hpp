#pragma once

#include <string>
#include <string_view>

namespace jobsched::api {

// The id of a request: the client's X-Request-Id when it is a sane token (1
// to 128 characters of letters, digits and -_.:), so ids can be followed
// across services; otherwise a new random one (32 hex digits).
std::string RequestIdFor(std::string_view client_id);

}  // namespace jobsched::api
