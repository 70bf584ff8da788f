#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::core {

// Names people type and that appear in URLs, logs, metrics and commands
// (namespaces, API key names): 1 to `max_length` characters of lower-case
// letters, digits, '-', '_' and '.', starting with a letter or a digit, so
// they never need quoting or escaping. Fails with kInvalidArgument naming
// `field`; `what` says what the name is ("a namespace").
Result<void> ValidateIdentifier(std::string_view text, std::string_view field, std::string_view what,
                                std::size_t max_length);

}  // namespace jobsched::core
