#pragma once

#include <string>

namespace jobsched::store {

// The text a store keeps of a run's output or error: valid UTF-8 (runs are
// shown as JSON; an invalid sequence becomes U+FFFD), without NUL bytes
// (PostgreSQL text cannot hold them; they become U+FFFD too, in every store
// alike), cut to core::kMaxRunOutputBytes with a marker.
std::string CapRunOutput(const std::string& raw);

}  // namespace jobsched::store
