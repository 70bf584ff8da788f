#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::api {

// A console session is named by a random 256-bit id, sent as the cookie
// (unpadded base64url, 43 characters). Its CSRF token is derived from the id
// (HMAC-SHA256 keyed with it), so GET /session can give it again to a page
// that holds the cookie while the database keeps neither, only their
// SHA-256 (docs/decisions/0008). A site that cannot read the cookie cannot
// compute the token.
constexpr std::size_t kSessionIdRandomBytes = 32;
constexpr std::size_t kSessionIdLength = 43;

// A new session id from OpenSSL's RAND_bytes. kInternal when the generator
// fails (then no session is made: never fall back to a weaker source).
core::Result<std::string> GenerateSessionId();

// Whether `id` has the shape GenerateSessionId gives; anything else is no
// session and is never looked up.
bool IsWellFormedSessionId(std::string_view id);

// The CSRF token of the session `id`: 43 base64url characters.
std::string CsrfTokenFor(std::string_view id);

}  // namespace jobsched::api
