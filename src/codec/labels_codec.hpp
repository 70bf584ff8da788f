#pragma once

#include <string>
#include <string_view>

#include "core/labels.hpp"
#include "core/result.hpp"

namespace jobsched::codec {

// A job's labels as JSON, in the API and in the database: an object of
// strings, {"team": "payments", "tier": ""}. Decoding checks the form only
// (an object whose members are strings; kInvalidArgument naming "labels" or
// "labels.<key>"); the rules of keys and values are core::ValidateLabels'.
core::Result<core::Labels> DecodeLabels(std::string_view text);

std::string EncodeLabels(const core::Labels& labels);
// The same, appended to `out`.
void AppendLabels(std::string& out, const core::Labels& labels);

}  // namespace jobsched::codec
