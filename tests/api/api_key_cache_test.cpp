#include "api/api_key_cache.hpp"

#include <gtest/gtest.h>

#include "testing/fake_api_key_store.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;

std::string Token(char seed) { return "jsk_" + std::string(43, seed); }

core::ApiKey Key(const std::string& name, char seed, core::Role role = core::Role::kWrite) {
  core::ApiKey key;
  key.name = name;
  key.role = role;
  key.namespace_name = "team-a";
  key.token_hash = HashToken(Token(seed));
  key.rate_limit = 100;
  key.created_at = At("2026-11-27T10:00:00Z");
  return key;
}

class ApiKeyCacheTest : public ::testing::Test {
 protected:
  jobsched::testing::FakeApiKeyStore store_;
  ApiKeyCache cache_{store_};
};

TEST_F(ApiKeyCacheTest, FindsAnActiveKeyByItsToken) {
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ci", 'a')).ok());
  ASSERT_TRUE(cache_.Refresh().ok());

  const auto found = cache_.Find(Token('a'));

  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "ci");
  EXPECT_EQ(found->role, core::Role::kWrite);
  EXPECT_EQ(found->namespace_name, "team-a");
  EXPECT_EQ(found->rate_limit, 100);
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(ApiKeyCacheTest, FindsNothingForOtherOrMalformedTokens) {
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ci", 'a')).ok());
  ASSERT_TRUE(cache_.Refresh().ok());

  EXPECT_FALSE(cache_.Find(Token('b')).has_value());
  EXPECT_FALSE(cache_.Find("").has_value());
  EXPECT_FALSE(cache_.Find(Token('a') + "x").has_value());
  EXPECT_FALSE(cache_.Find(HashToken(Token('a'))).has_value());
}

TEST_F(ApiKeyCacheTest, KnowsOnlyWhatTheLastRefreshRead) {
  ASSERT_TRUE(cache_.Refresh().ok());
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ci", 'a')).ok());
  EXPECT_FALSE(cache_.Find(Token('a')).has_value());

  ASSERT_TRUE(cache_.Refresh().ok());
  EXPECT_TRUE(cache_.Find(Token('a')).has_value());

  ASSERT_TRUE(store::RevokeApiKeyAndWait(store_, "ci", At("2026-11-27T11:00:00Z")).ok());
  ASSERT_TRUE(cache_.Refresh().ok());
  EXPECT_FALSE(cache_.Find(Token('a')).has_value());
  EXPECT_EQ(cache_.size(), 0u);
}

TEST_F(ApiKeyCacheTest, FindsAnActiveKeyByItsNameUntilItIsRevoked) {
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ci", 'a')).ok());
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ops", 'b', core::Role::kAdmin)).ok());
  ASSERT_TRUE(cache_.Refresh().ok());

  const auto ci = cache_.FindByName("ci");
  const auto ops = cache_.FindByName("ops");
  ASSERT_TRUE(store::RevokeApiKeyAndWait(store_, "ci", At("2026-11-27T11:00:00Z")).ok());
  ASSERT_TRUE(cache_.Refresh().ok());

  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->name, "ci");
  EXPECT_EQ(ci->role, core::Role::kWrite);
  ASSERT_TRUE(ops.has_value());
  EXPECT_EQ(ops->role, core::Role::kAdmin);
  EXPECT_FALSE(cache_.FindByName("ci").has_value());
  EXPECT_TRUE(cache_.FindByName("ops").has_value());
  EXPECT_FALSE(cache_.FindByName("nobody").has_value());
}

TEST_F(ApiKeyCacheTest, AFailedRefreshKeepsTheKeysReadBefore) {
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ci", 'a')).ok());
  ASSERT_TRUE(cache_.Refresh().ok());
  store_.unavailable = true;

  const auto refreshed = cache_.Refresh();

  EXPECT_FALSE(refreshed.ok());
  EXPECT_TRUE(cache_.Find(Token('a')).has_value());
}

TEST_F(ApiKeyCacheTest, IgnoresARowWithAMalformedHashButKeepsTheOthers) {
  core::ApiKey broken = Key("broken", 'b');
  broken.token_hash = "not hex";
  store_.InsertRawForTest(broken);
  ASSERT_TRUE(store::CreateApiKeyAndWait(store_, Key("ci", 'a')).ok());

  ASSERT_TRUE(cache_.Refresh().ok());

  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_TRUE(cache_.Find(Token('a')).has_value());
}

}  // namespace
}  // namespace jobsched::api
