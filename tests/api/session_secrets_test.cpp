#include "api/session_secrets.hpp"

#include <gtest/gtest.h>

#include <set>

#include "api/api_token.hpp"

namespace jobsched::api {
namespace {

TEST(SessionSecrets, AnIdIs43Base64UrlCharactersOfFreshRandomness) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto id = GenerateSessionId();
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(IsWellFormedSessionId(*id)) << *id;
    ids.insert(*id);
  }

  EXPECT_EQ(ids.size(), 100u);
}

TEST(SessionSecrets, RefusesWhatIsNotAnId) {
  EXPECT_FALSE(IsWellFormedSessionId(""));
  EXPECT_FALSE(IsWellFormedSessionId(std::string(42, 'a')));
  EXPECT_FALSE(IsWellFormedSessionId(std::string(44, 'a')));
  EXPECT_FALSE(IsWellFormedSessionId(std::string(42, 'a') + "="));
  EXPECT_FALSE(IsWellFormedSessionId(std::string(42, 'a') + ";"));
  EXPECT_TRUE(IsWellFormedSessionId(std::string(41, 'a') + "-_"));
}

TEST(SessionSecrets, TheCsrfTokenFollowsFromTheIdAloneAndRevealsNothingOfIt) {
  const std::string id = std::string(43, 'a');
  const std::string other = std::string(42, 'a') + "b";

  const std::string token = CsrfTokenFor(id);

  EXPECT_EQ(token, CsrfTokenFor(id));
  EXPECT_NE(token, CsrfTokenFor(other));
  EXPECT_TRUE(IsBase64Url(token, 43)) << token;
  EXPECT_EQ(token.find(id.substr(0, 8)), std::string::npos);
  EXPECT_NE(HashToken(token), HashToken(id));
}

// Computed independently:
//   printf %s 'jobsched csrf token v1' | openssl dgst -sha256 -hmac "$(printf 'a%.0s' $(seq 43))" -binary |
//     basenc --base64url | tr -d '='
TEST(SessionSecrets, TheCsrfTokenIsHmacSha256KeyedWithTheId) {
  EXPECT_EQ(CsrfTokenFor(std::string(43, 'a')), "OXkt5wu3h2lo4MKTeYaF5aGrtV3Ch2qU_ok0X0oKF90");
}

}  // namespace
}  // namespace jobsched::api
