#include "app/redaction.hpp"

#include <string>

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

TEST(IsSecretName, RecognisesSecretsByName) {
  EXPECT_TRUE(IsSecretName("smtp_password"));
  EXPECT_TRUE(IsSecretName("PASSWORD"));
  EXPECT_TRUE(IsSecretName("client_secret"));
  EXPECT_TRUE(IsSecretName("api_token"));
  EXPECT_TRUE(IsSecretName("sslpassword"));
  EXPECT_FALSE(IsSecretName("listen"));
  EXPECT_FALSE(IsSecretName("smtp_url"));
}

TEST(RedactSecrets, ReplacesTheUserinfoPasswordOfAUrl) {
  struct Case {
    std::string input;
    std::string expected;
  };
  const Case cases[] = {
      {"postgresql://app:s3cret@db:5432/jobs", "postgresql://app:REDACTED@db:5432/jobs"},
      {"smtp://mailer:p%40ss@mail.example.com:587", "smtp://mailer:REDACTED@mail.example.com:587"},
      {"smtps://user:pa@ss@mail:465", "smtps://user:REDACTED@mail:465"},  // an unescaped '@' in the password
      {"postgres://app:pw@db", "postgres://app:REDACTED@db"},
      {"postgresql://app@db/jobs", "postgresql://app@db/jobs"},  // a user name alone is no secret
      {"smtp://127.0.0.1:25", "smtp://127.0.0.1:25"},
  };

  for (const Case& c : cases) EXPECT_EQ(RedactSecrets(c.input), c.expected) << c.input;
}

TEST(RedactSecrets, ReplacesSecretQueryParameters) {
  EXPECT_EQ(RedactSecrets("postgresql://db/jobs?user=app&password=pw&sslmode=require"),
            "postgresql://db/jobs?user=app&password=REDACTED&sslmode=require");
  EXPECT_EQ(RedactSecrets("https://h/p?token=abc#top"), "https://h/p?token=REDACTED#top");
}

TEST(RedactSecrets, ReplacesSecretWordsOfAKeywordDsn) {
  EXPECT_EQ(RedactSecrets("host=db user=app password=pw dbname=jobs"),
            "host=db user=app password=REDACTED dbname=jobs");
}

TEST(RedactSecrets, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(RedactSecrets("sqlite:./data/jobsched.db"), "sqlite:./data/jobsched.db");
  EXPECT_EQ(RedactSecrets("0.0.0.0:8000"), "0.0.0.0:8000");
  EXPECT_EQ(RedactSecrets(""), "");
}

}  // namespace
}  // namespace jobsched::app
