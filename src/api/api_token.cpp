#include "api/api_token.hpp"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/text.hpp"

namespace jobsched::api {
namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHex[] = "0123456789abcdef";

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string EncodeBase64Url(const unsigned char* bytes, std::size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const unsigned value = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kBase64Url[(value >> 18) & 63];
    out += kBase64Url[(value >> 12) & 63];
    out += kBase64Url[(value >> 6) & 63];
    out += kBase64Url[value & 63];
  }
  if (size - i == 1) {
    const unsigned value = bytes[i] << 16;
    out += kBase64Url[(value >> 18) & 63];
    out += kBase64Url[(value >> 12) & 63];
  } else if (size - i == 2) {
    const unsigned value = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += kBase64Url[(value >> 18) & 63];
    out += kBase64Url[(value >> 12) & 63];
    out += kBase64Url[(value >> 6) & 63];
  }
  return out;
}

bool IsBase64Url(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), IsBase64UrlChar);
}

core::Result<std::string> GenerateToken() {
  unsigned char random[kTokenRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) {
    return core::Error::Internal("OpenSSL's random generator failed; no key was created");
  }
  std::string token = std::string(kTokenPrefix) + EncodeBase64Url(random, sizeof random);
  OPENSSL_cleanse(random, sizeof random);
  return token;
}

bool IsWellFormedToken(std::string_view token) {
  return token.size() == kTokenLength && token.substr(0, kTokenPrefix.size()) == kTokenPrefix &&
         IsBase64Url(token.substr(kTokenPrefix.size()), kTokenLength - kTokenPrefix.size());
}

TokenDigest DigestToken(std::string_view token) {
  TokenDigest digest{};
  unsigned int size = 0;
  // EVP_Digest with SHA-256 cannot fail on valid arguments; should it ever,
  // the zero digest matches no stored key.
  if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    digest.fill(0);
  }
  return digest;
}

std::string HashToken(std::string_view token) {
  const TokenDigest digest = DigestToken(token);
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  return hex;
}

std::optional<TokenDigest> ParseTokenHash(std::string_view hex) {
  TokenDigest digest{};
  if (hex.size() != digest.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>((high << 4) | low);
  }
  return digest;
}

bool DigestsEqual(const TokenDigest& a, const TokenDigest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !core::EqualsIgnoringCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

}  // namespace jobsched::api
