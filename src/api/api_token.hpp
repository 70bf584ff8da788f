#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::api {

// An API token is "jsk_" followed by 32 random bytes in unpadded base64url
// (43 characters): 47 characters that survive shells, URLs and headers
// unquoted, and whose prefix makes a leaked token easy to recognise (and to
// scan for). The service stores only the SHA-256 of the whole token.
inline constexpr std::string_view kTokenPrefix = "jsk_";
constexpr std::size_t kTokenRandomBytes = 32;
constexpr std::size_t kTokenLength = 47;

using TokenDigest = std::array<unsigned char, 32>;

// A new token from OpenSSL's RAND_bytes. kInternal when the generator fails
// (then no token exists: never fall back to a weaker source).
core::Result<std::string> GenerateToken();

// Whether `token` has the shape GenerateToken gives: the prefix and 43
// base64url characters. Anything else is refused before it is hashed.
bool IsWellFormedToken(std::string_view token);

// The SHA-256 of `token`, raw and as 64 lower-case hex digits (what the
// store keeps).
TokenDigest DigestToken(std::string_view token);
std::string HashToken(std::string_view token);

// The digest a stored hex hash stands for; nullopt unless it is 64 hex digits.
std::optional<TokenDigest> ParseTokenHash(std::string_view hex);

// Compares two digests in time independent of where they differ (OpenSSL's
// CRYPTO_memcmp), so response times tell nothing about a stored hash.
bool DigestsEqual(const TokenDigest& a, const TokenDigest& b);

// Unpadded base64url (RFC 4648 §5) of `size` bytes; what tokens and session
// ids are written in.
std::string EncodeBase64Url(const unsigned char* bytes, std::size_t size);

// Whether `text` is exactly `length` base64url characters.
bool IsBase64Url(std::string_view text, std::size_t length);

// The token of an `Authorization: Bearer <token>` header (RFC 6750: the
// scheme is case-insensitive, one or more spaces follow it). nullopt when
// the header is empty or uses another scheme; the token may still be
// malformed (see IsWellFormedToken).
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace jobsched::api
