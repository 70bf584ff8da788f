#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jobsched::executor::http {

// The value of the Jobsched-Signature header of a signed webhook:
// "t=<unix_seconds>,v1=<hex>", where <hex> is the lower-case hex HMAC-SHA256,
// under `secret`, of "<unix_seconds>.<body>" (the exact bytes sent; empty
// when the request has no body). Receivers recompute it, compare in constant
// time and refuse a `t` too far from their clock (README, "Safe tasks").
// `v1` names the scheme, so another can be added beside it later.
std::string WebhookSignature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

}  // namespace jobsched::executor::http
