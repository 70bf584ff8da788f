#include "app/key_commands.hpp"

#include <gtest/gtest.h>

#include "api/api_token.hpp"
#include "testing/fake_api_key_store.hpp"
#include "testing/fake_clock.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::app {
namespace {

using jobsched::testing::At;

class KeyCommandsTest : public ::testing::Test {
 protected:
  jobsched::testing::FakeApiKeyStore store_;
  jobsched::testing::FakeClock clock_{At("2026-11-27T10:00:00Z")};
};

TEST_F(KeyCommandsTest, CreateStoresOnlyTheHashOfTheTokenItReturns) {
  auto created = CreateKey(store_, clock_, {.name = "ci", .role = "write", .namespace_name = "team-a"});

  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(api::IsWellFormedToken(created->token));
  const auto stored = store_.ListApiKeys().value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].name, "ci");
  EXPECT_EQ(stored[0].role, core::Role::kWrite);
  EXPECT_EQ(stored[0].namespace_name, "team-a");
  EXPECT_EQ(stored[0].token_hash, api::HashToken(created->token));
  EXPECT_EQ(stored[0].created_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(stored[0].rate_limit, std::nullopt);
  EXPECT_EQ(stored[0].expires_at, std::nullopt);
}

TEST_F(KeyCommandsTest, CreateSetsTheExpiryThatLongAfterNow) {
  auto created = CreateKey(store_, clock_, {.name = "temp", .role = "read", .expires_in = "90d"});

  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->key.expires_at, At("2027-02-25T10:00:00Z"));
  EXPECT_EQ(store_.ListApiKeys()->front().expires_at, At("2027-02-25T10:00:00Z"));
}

TEST_F(KeyCommandsTest, CreateKeepsAPerKeyRateLimit) {
  auto created = CreateKey(store_, clock_, {.name = "bulk", .role = "read", .rate_limit = 0});

  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->key.rate_limit, 0);
  EXPECT_EQ(created->key.namespace_name, "default");
}

TEST_F(KeyCommandsTest, CreateRefusesBadInputNamingIt) {
  struct Case {
    NewKeyRequest request;
    const char* field;
  };
  const Case cases[] = {
      {{.name = "CI", .role = "write"}, "name"},
      {{.name = "", .role = "write"}, "name"},
      {{.name = "ci", .role = "owner"}, "role"},
      {{.name = "ci", .role = "read", .namespace_name = "Team A"}, "namespace"},
      {{.name = "ci", .role = "read", .rate_limit = -1}, "rate-limit"},
      {{.name = "ci", .role = "read", .rate_limit = 1000001}, "rate-limit"},
      {{.name = "ci", .role = "read", .expires_in = "soon"}, "expires-in"},
      {{.name = "ci", .role = "read", .expires_in = "0s"}, "expires-in"},
  };

  for (const Case& c : cases) {
    auto created = CreateKey(store_, clock_, c.request);

    ASSERT_FALSE(created.ok()) << c.field;
    EXPECT_EQ(created.error().code, core::ErrorCode::kInvalidArgument) << c.field;
    EXPECT_EQ(created.error().field, c.field);
  }
  EXPECT_TRUE(store_.ListApiKeys()->empty());
}

TEST_F(KeyCommandsTest, ANameIsTakenOnce) {
  ASSERT_TRUE(CreateKey(store_, clock_, {.name = "ci", .role = "write"}).ok());

  auto again = CreateKey(store_, clock_, {.name = "ci", .role = "read"});

  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
}

TEST_F(KeyCommandsTest, TheTableShowsEveryKeyButNeverATokenOrHash) {
  auto created = CreateKey(store_, clock_, {.name = "ci", .role = "write", .namespace_name = "team-a"});
  ASSERT_TRUE(CreateKey(store_, clock_, {.name = "bulk", .role = "admin", .rate_limit = 0, .expires_in = "1d"}).ok());
  ASSERT_TRUE(store::RevokeApiKeyAndWait(store_, "bulk", At("2026-11-28T00:00:00Z")).ok());

  const std::string table = FormatKeyTable(store_.ListApiKeys().value());

  EXPECT_EQ(table,
            "NAME  ROLE   NAMESPACE  RATE_LIMIT  CREATED               EXPIRES               REVOKED\n"
            "ci    write  team-a     default     2026-11-27T10:00:00Z  -                     -\n"
            "bulk  admin  default    none        2026-11-27T10:00:00Z  2026-11-28T10:00:00Z  2026-11-28T00:00:00Z\n");
  EXPECT_EQ(table.find(created->token), std::string::npos);
  EXPECT_EQ(table.find(created->key.token_hash), std::string::npos);
}

}  // namespace
}  // namespace jobsched::app
