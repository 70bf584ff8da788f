#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jobsched::core {

// ASCII case-insensitive equality: header names, HTTP schemes, settings.
bool EqualsIgnoringCase(std::string_view a, std::string_view b);

// The entries of a comma-separated list ("a, b ,c"), each without the spaces
// and tabs around it, in order. An empty entry between commas is kept ("a,,b"
// gives three), for the caller to skip or refuse; a trailing comma adds none.
// Views into `list`.
std::vector<std::string_view> SplitList(std::string_view list);

// `text` percent-encoded for a URL's query (RFC 3986): every byte but the
// unreserved characters (letters, digits, - . _ ~) as %XX. The service's
// own links and the command line's requests both use it.
std::string PercentEncode(std::string_view text);

}  // namespace jobsched::core
