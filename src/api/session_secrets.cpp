#include "api/session_secrets.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "api/api_token.hpp"

namespace jobsched::api {
namespace {

// What the HMAC signs: fixed, so the token depends on the id alone.
constexpr std::string_view kCsrfLabel = "jobsched csrf token v1";

}  // namespace

core::Result<std::string> GenerateSessionId() {
  unsigned char random[kSessionIdRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) {
    return core::Error::Internal("OpenSSL's random generator failed; no session was made");
  }
  std::string id = EncodeBase64Url(random, sizeof random);
  OPENSSL_cleanse(random, sizeof random);
  return id;
}

bool IsWellFormedSessionId(std::string_view id) { return IsBase64Url(id, kSessionIdLength); }

std::string CsrfTokenFor(std::string_view id) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  // HMAC with SHA-256 cannot fail on valid arguments; should it ever, the
  // empty token matches no X-CSRF-Token (an empty header is refused).
  if (HMAC(EVP_sha256(), id.data(), static_cast<int>(id.size()),
           reinterpret_cast<const unsigned char*>(kCsrfLabel.data()), kCsrfLabel.size(), mac.data(),
           &size) == nullptr) {
    return {};
  }
  return EncodeBase64Url(mac.data(), size);
}

}  // namespace jobsched::api
