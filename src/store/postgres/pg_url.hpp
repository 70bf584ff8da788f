#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::store::postgres {

// Checks a postgresql:// or postgres:// URL for what libpq would read
// otherwise than it looks, or differently from RedactSecrets-style readers:
// more than one '@' before the host, an '@' after a '/', '?' or '#' (an
// unencoded character of a password), a port that is not a number, an
// unclosed IPv6 bracket, a '%' not followed by two hex digits, spaces or
// control characters. Fails with kInvalidArgument on field "db", naming the
// problem but never quoting the URL, which may hold a password.
core::Result<void> CheckPostgresUrl(std::string_view url);

// `message` (about connecting to `url`, typically libpq's) with every secret
// of `url` replaced by REDACTED: the password of its userinfo, whole and
// around each '@' in it (libpq ends the userinfo at the first '@' and echoes
// the rest as a host name), and the value of a password= parameter; each as
// written and percent-decoded.
std::string RedactPostgresSecrets(std::string message, std::string_view url);

}  // namespace jobsched::store::postgres
