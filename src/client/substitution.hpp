#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::client {

// Looks a variable up by name: its value, or nullopt when it is not set.
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment, as a VariableLookup.
VariableLookup EnvironmentLookup();

// `text` with every `${NAME}` replaced by the variable's value, so secrets
// stay out of job files. NAME is letters, digits and `_`, not starting with
// a digit; `$${` writes a literal `${`, and a `$` not followed by `{` stays
// as it is. Fails with kInvalidArgument (field: the variable's name) for a
// variable that is not set (an empty one counts as set), and for `${`
// without a closing `}` or with a malformed name.
core::Result<std::string> SubstituteVariables(std::string_view text, const VariableLookup& lookup);

}  // namespace jobsched::client
