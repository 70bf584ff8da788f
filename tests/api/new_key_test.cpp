#include "api/new_key.hpp"

#include <gtest/gtest.h>

#include "api/api_token.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;

TEST(NewKey, MakesAKeyWithAFreshTokenOfWhichOnlyTheHashIsKept) {
  auto made = PrepareKey({.name = "ci", .role = "write", .namespace_name = "team-a", .rate_limit = 100},
                         At("2026-11-27T10:00:00Z"));

  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_TRUE(IsWellFormedToken(made->token));
  EXPECT_EQ(made->key.token_hash, HashToken(made->token));
  EXPECT_EQ(made->key.name, "ci");
  EXPECT_EQ(made->key.role, core::Role::kWrite);
  EXPECT_EQ(made->key.namespace_name, "team-a");
  EXPECT_EQ(made->key.rate_limit, 100);
  EXPECT_EQ(made->key.created_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(made->key.expires_at, std::nullopt);
}

TEST(NewKey, ExpiresThatLongAfterItsCreation) {
  auto made = PrepareKey({.name = "temp", .role = "read", .expires_in = "90d"}, At("2026-11-27T10:00:00Z"));

  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->key.expires_at, At("2027-02-25T10:00:00Z"));
}

TEST(NewKey, ErrorsNameTheFieldAsItsSenderCallsIt) {
  struct Case {
    NewKeyRequest request;
    const char* member;
    const char* flag;
  };
  const Case cases[] = {
      {{.name = "CI", .role = "write"}, "name", "name"},
      {{.name = "ci", .role = "owner"}, "role", "role"},
      {{.name = "ci", .role = "read", .namespace_name = "Team A"}, "namespace", "namespace"},
      {{.name = "ci", .role = "read", .rate_limit = -1}, "rate_limit", "rate-limit"},
      {{.name = "ci", .role = "read", .rate_limit = 1000001}, "rate_limit", "rate-limit"},
      {{.name = "ci", .role = "read", .expires_in = "soon"}, "expires_in", "expires-in"},
  };

  for (const Case& c : cases) {
    auto as_member = PrepareKey(c.request, At("2026-11-27T10:00:00Z"), kKeyMembers);
    auto as_flag = PrepareKey(c.request, At("2026-11-27T10:00:00Z"), kKeyFlags);

    ASSERT_FALSE(as_member.ok()) << c.member;
    EXPECT_EQ(as_member.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(as_member.error().field, c.member);
    EXPECT_EQ(as_member.error().message.rfind(c.member, 0), 0u) << as_member.error().message;
    ASSERT_FALSE(as_flag.ok()) << c.flag;
    EXPECT_EQ(as_flag.error().field, c.flag);
  }
}

}  // namespace
}  // namespace jobsched::api
