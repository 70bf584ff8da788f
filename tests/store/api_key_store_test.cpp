// The ApiKeyStore contract, on SQLite.
#include "store/api_key_store.hpp"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store {
namespace {

using jobsched::testing::At;

core::ApiKey Key(const std::string& name, const std::string& hash_digit, core::Role role = core::Role::kWrite) {
  core::ApiKey key;
  key.name = name;
  key.role = role;
  key.namespace_name = "team-a";
  key.token_hash = std::string(64, hash_digit.front());
  key.created_at = At("2026-11-27T10:00:00Z");
  return key;
}

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  ApiKeyStore& store() { return *store_; }

  jobsched::testing::TempDir dir_;
  std::unique_ptr<sqlite::SqliteJobStore> store_;
};

TEST_F(ApiKeyStoreTest, CreatedKeyIsListedWithEveryField) {
  core::ApiKey key = Key("ci", "a", core::Role::kAdmin);
  key.rate_limit = 120;

  auto created = CreateApiKeyAndWait(store(), key);
  auto listed = store().ListApiKeys();

  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, 0);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const core::ApiKey& read = listed->front();
  EXPECT_EQ(read.id, created->id);
  EXPECT_EQ(read.name, "ci");
  EXPECT_EQ(read.role, core::Role::kAdmin);
  EXPECT_EQ(read.namespace_name, "team-a");
  EXPECT_EQ(read.token_hash, std::string(64, 'a'));
  EXPECT_EQ(read.rate_limit, 120);
  EXPECT_EQ(read.created_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(read.revoked_at, std::nullopt);
}

TEST_F(ApiKeyStoreTest, AKeyWithoutALimitOfItsOwnHasNone) {
  ASSERT_TRUE(CreateApiKeyAndWait(store(), Key("ci", "a")).ok());

  EXPECT_EQ(store().ListApiKeys()->front().rate_limit, std::nullopt);
}

TEST_F(ApiKeyStoreTest, RefusesASecondKeyOfTheSameNameOrToken) {
  ASSERT_TRUE(CreateApiKeyAndWait(store(), Key("ci", "a")).ok());

  auto same_name = CreateApiKeyAndWait(store(), Key("ci", "b"));
  auto same_hash = CreateApiKeyAndWait(store(), Key("other", "a"));

  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().code, core::ErrorCode::kConflict);
  ASSERT_FALSE(same_hash.ok());
  EXPECT_EQ(same_hash.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(store().ListApiKeys()->size(), 1u);
}

TEST_F(ApiKeyStoreTest, RevokedKeysStayListedButAreNotActive) {
  ASSERT_TRUE(CreateApiKeyAndWait(store(), Key("ci", "a")).ok());
  ASSERT_TRUE(CreateApiKeyAndWait(store(), Key("deploy", "b")).ok());

  auto revoked = RevokeApiKeyAndWait(store(), "ci", At("2026-11-27T11:00:00Z"));

  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_at, At("2026-11-27T11:00:00Z"));
  EXPECT_EQ(store().ListApiKeys()->size(), 2u);
  auto active = store().ActiveApiKeys();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().name, "deploy");
}

TEST_F(ApiKeyStoreTest, RevokingTwiceKeepsTheFirstTime) {
  ASSERT_TRUE(CreateApiKeyAndWait(store(), Key("ci", "a")).ok());
  ASSERT_TRUE(RevokeApiKeyAndWait(store(), "ci", At("2026-11-27T11:00:00Z")).ok());

  auto again = RevokeApiKeyAndWait(store(), "ci", At("2026-11-27T12:00:00Z"));

  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, At("2026-11-27T11:00:00Z"));
}

TEST_F(ApiKeyStoreTest, ARevokedNameIsNotReused) {
  ASSERT_TRUE(CreateApiKeyAndWait(store(), Key("ci", "a")).ok());
  ASSERT_TRUE(RevokeApiKeyAndWait(store(), "ci", At("2026-11-27T11:00:00Z")).ok());

  auto reused = CreateApiKeyAndWait(store(), Key("ci", "b"));

  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, core::ErrorCode::kConflict);
}

TEST_F(ApiKeyStoreTest, RevokingAnUnknownKeyIsNotFound) {
  auto revoked = RevokeApiKeyAndWait(store(), "nobody", At("2026-11-27T11:00:00Z"));

  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, core::ErrorCode::kNotFound);
}

TEST_F(ApiKeyStoreTest, ListsKeysByName) {
  for (const auto& [name, digit] : {std::pair{"zeta", "1"}, {"alpha", "2"}, {"mid", "3"}}) {
    ASSERT_TRUE(CreateApiKeyAndWait(store(), Key(name, digit)).ok());
  }

  auto listed = store().ListApiKeys();

  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].name, "alpha");
  EXPECT_EQ((*listed)[1].name, "mid");
  EXPECT_EQ((*listed)[2].name, "zeta");
}

}  // namespace
}  // namespace jobsched::store
