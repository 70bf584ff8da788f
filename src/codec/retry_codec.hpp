#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/retry_policy.hpp"

namespace jobsched::codec {

// A retry policy's JSON form, in the API and in the database:
//   {"max_attempts": 3, "initial_delay": "10s", "max_delay": "10m", "jitter": 0.1}
// Members left out keep their defaults; unknown members are refused.
// Decoding validates; fails with kInvalidArgument naming "retry.<member>".
core::Result<core::RetryPolicy> DecodeRetryPolicy(std::string_view text);

std::string EncodeRetryPolicy(const core::RetryPolicy& policy);
// The same, appended to `out` (no string of its own per job).
void AppendRetryPolicy(std::string& out, const core::RetryPolicy& policy);

}  // namespace jobsched::codec
