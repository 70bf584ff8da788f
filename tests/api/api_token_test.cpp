#include "api/api_token.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace jobsched::api {
namespace {

TEST(GenerateToken, GivesAPrefixedBase64UrlTokenOfFixedLength) {
  auto token = GenerateToken();

  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->size(), kTokenLength);
  EXPECT_EQ(token->substr(0, 4), "jsk_");
  EXPECT_TRUE(IsWellFormedToken(*token)) << *token;
}

TEST(GenerateToken, NeverRepeatsItself) {
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.insert(GenerateToken().value());

  EXPECT_EQ(tokens.size(), 1000u);
}

TEST(IsWellFormedToken, RefusesAnythingButThePrefixAnd43Base64UrlCharacters) {
  const std::string good = "jsk_" + std::string(43, 'A');
  EXPECT_TRUE(IsWellFormedToken(good));
  EXPECT_TRUE(IsWellFormedToken("jsk_" + std::string(41, 'z') + "-_"));

  for (const std::string& bad :
       {std::string(), std::string("jsk_"), "jsk_" + std::string(42, 'A'), "jsk_" + std::string(44, 'A'),
        "JSK_" + std::string(43, 'A'), "key_" + std::string(43, 'A'), "jsk_" + std::string(42, 'A') + "=",
        "jsk_" + std::string(42, 'A') + "+", "jsk_" + std::string(42, 'A') + " ",
        "jsk_" + std::string(42, 'A') + std::string(1, '\0')}) {
    EXPECT_FALSE(IsWellFormedToken(bad)) << bad;
  }
}

TEST(HashToken, IsTheHexSha256OfTheWholeToken) {
  // FIPS 180-2's test vector for "abc".
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashToken("jsk_a").size(), 64u);
  EXPECT_NE(HashToken("jsk_a"), HashToken("jsk_b"));
}

TEST(ParseTokenHash, ReadsBackWhatHashTokenWrites) {
  const std::string hex = HashToken("jsk_example");

  auto digest = ParseTokenHash(hex);

  ASSERT_TRUE(digest.has_value());
  EXPECT_TRUE(DigestsEqual(*digest, DigestToken("jsk_example")));
  EXPECT_FALSE(DigestsEqual(*digest, DigestToken("jsk_other")));
}

TEST(ParseTokenHash, RefusesAnythingButSixtyFourHexDigits) {
  EXPECT_FALSE(ParseTokenHash("").has_value());
  EXPECT_FALSE(ParseTokenHash(std::string(63, 'a')).has_value());
  EXPECT_FALSE(ParseTokenHash(std::string(65, 'a')).has_value());
  EXPECT_FALSE(ParseTokenHash(std::string(63, 'a') + "g").has_value());
  EXPECT_TRUE(ParseTokenHash(std::string(64, 'A')).has_value());
}

TEST(BearerToken, ReadsTheTokenOfABearerAuthorizationHeader) {
  struct Case {
    std::string header;
    std::optional<std::string> token;
  };
  const Case cases[] = {
      {"Bearer jsk_abc", "jsk_abc"},
      {"bearer jsk_abc", "jsk_abc"},
      {"BEARER   jsk_abc  ", "jsk_abc"},
      {"Bearer ", ""},
      {"", std::nullopt},
      {"Bearer", std::nullopt},
      {"Bearerjsk_abc", std::nullopt},
      {"Basic dXNlcjpwYXNz", std::nullopt},
      {"Token jsk_abc", std::nullopt},
  };

  for (const Case& c : cases) {
    const auto token = BearerToken(c.header);
    EXPECT_EQ(token ? std::optional<std::string>(std::string(*token)) : std::nullopt, c.token) << c.header;
  }
}

}  // namespace
}  // namespace jobsched::api
