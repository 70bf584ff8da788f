#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsched::core {

// Decodes UTF-8 into code points, or returns nullopt when `text` is not valid
// UTF-8 (bad sequences, overlong forms, surrogates, beyond U+10FFFF).
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that output
// captured from the outside world (a webhook's body) can always be shown as
// a JSON string.
std::string ToValidUtf8(std::string_view text);

}  // namespace jobsched::core
