// The ApiKeyStore contract: every store (SQLite, PostgreSQL) passes these.
#include "store/api_key_store.hpp"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <utility>

#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

core::ApiKey Key(const std::string& name, char hash_digit, core::Role role = core::Role::kWrite) {
  core::ApiKey key;
  key.name = name;
  key.role = role;
  key.namespace_name = "team-a";
  key.token_hash = std::string(64, hash_digit);
  key.created_at = At("2026-11-27T10:00:00Z");
  return key;
}

template <typename BackendType>
class ApiKeyStoreContract : public StoreContractTest<BackendType> {
 protected:
  ApiKeyStore& store() { return *this->instance_.keys; }
};

TYPED_TEST_SUITE(ApiKeyStoreContract, Backends);

TYPED_TEST(ApiKeyStoreContract, CreatedKeyIsListedWithEveryField) {
  core::ApiKey key = Key("ci", 'a', core::Role::kAdmin);
  key.rate_limit = 120;
  key.expires_at = At("2027-02-25T10:00:00Z");

  auto created = CreateApiKeyAndWait(this->store(), key);
  auto listed = this->store().ListApiKeys();

  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, 0);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
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
  EXPECT_EQ(read.expires_at, At("2027-02-25T10:00:00Z"));
}

TYPED_TEST(ApiKeyStoreContract, AKeyWithoutALimitOrExpiryOfItsOwnHasNone) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());

  EXPECT_EQ(this->store().ListApiKeys()->front().rate_limit, std::nullopt);
  EXPECT_EQ(this->store().ListApiKeys()->front().expires_at, std::nullopt);
  EXPECT_EQ(this->store().ActiveApiKeys()->front().expires_at, std::nullopt);
}

TYPED_TEST(ApiKeyStoreContract, RefusesASecondKeyOfTheSameNameOrToken) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());

  auto same_name = CreateApiKeyAndWait(this->store(), Key("ci", 'b'));
  auto same_hash = CreateApiKeyAndWait(this->store(), Key("other", 'a'));

  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().code, core::ErrorCode::kConflict);
  ASSERT_FALSE(same_hash.ok());
  EXPECT_EQ(same_hash.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(this->store().ListApiKeys()->size(), 1u);
}

TYPED_TEST(ApiKeyStoreContract, ARefusedKeyDoesNotUndoTheOthersCommittedWithIt) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());

  // Both go to the writer at once and may share one transaction.
  std::promise<core::Result<core::ApiKey>> duplicate;
  std::promise<core::Result<core::ApiKey>> fresh;
  this->store().CreateApiKey(Key("ci", 'c'), [&](core::Result<core::ApiKey> r) { duplicate.set_value(std::move(r)); });
  this->store().CreateApiKey(Key("deploy", 'd'), [&](core::Result<core::ApiKey> r) { fresh.set_value(std::move(r)); });

  EXPECT_FALSE(duplicate.get_future().get().ok());
  EXPECT_TRUE(fresh.get_future().get().ok());
  EXPECT_EQ(this->store().ListApiKeys()->size(), 2u);
}

TYPED_TEST(ApiKeyStoreContract, RevokedKeysStayListedButAreNotActive) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("deploy", 'b')).ok());

  auto revoked = RevokeApiKeyAndWait(this->store(), "ci", At("2026-11-27T11:00:00Z"));

  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_EQ(revoked->revoked_at, At("2026-11-27T11:00:00Z"));
  EXPECT_EQ(this->store().ListApiKeys()->size(), 2u);
  auto active = this->store().ActiveApiKeys();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().name, "deploy");
}

TYPED_TEST(ApiKeyStoreContract, RevokingTwiceKeepsTheFirstTime) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());
  ASSERT_TRUE(RevokeApiKeyAndWait(this->store(), "ci", At("2026-11-27T11:00:00Z")).ok());

  auto again = RevokeApiKeyAndWait(this->store(), "ci", At("2026-11-27T12:00:00Z"));

  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, At("2026-11-27T11:00:00Z"));
}

TYPED_TEST(ApiKeyStoreContract, ARevokedNameIsNotReused) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());
  ASSERT_TRUE(RevokeApiKeyAndWait(this->store(), "ci", At("2026-11-27T11:00:00Z")).ok());

  auto reused = CreateApiKeyAndWait(this->store(), Key("ci", 'b'));

  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, core::ErrorCode::kConflict);
}

TYPED_TEST(ApiKeyStoreContract, RevokingAnUnknownKeyIsNotFound) {
  auto revoked = RevokeApiKeyAndWait(this->store(), "nobody", At("2026-11-27T11:00:00Z"));

  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, core::ErrorCode::kNotFound);
}

TYPED_TEST(ApiKeyStoreContract, ListsKeysByName) {
  for (const auto& [name, digit] : {std::pair{"zeta", '1'}, {"alpha-2", '2'}, {"alpha.1", '3'}, {"mid", '4'}}) {
    ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key(name, digit)).ok());
  }

  auto listed = this->store().ListApiKeys();

  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 4u);
  EXPECT_EQ((*listed)[0].name, "alpha-2");
  EXPECT_EQ((*listed)[1].name, "alpha.1");
  EXPECT_EQ((*listed)[2].name, "mid");
  EXPECT_EQ((*listed)[3].name, "zeta");
}

TYPED_TEST(ApiKeyStoreContract, AnotherInstanceOnTheSameDatabaseSeesTheKeys) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());

  auto other = this->backend_->Open();
  ASSERT_TRUE(other.ok());
  auto active = other->keys->ActiveApiKeys();

  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().name, "ci");
}

// Issue #14: revoking the last key switched authentication off on a loopback
// listener. Once a key has existed, the database says authentication is on.
TYPED_TEST(ApiKeyStoreContract, AFreshDatabaseDoesNotRequireAuthentication) {
  auto required = this->store().AuthenticationRequired();

  ASSERT_TRUE(required.ok()) << required.error().message;
  EXPECT_FALSE(*required);
}

TYPED_TEST(ApiKeyStoreContract, CreatingAKeyRecordsThatAuthenticationIsRequiredAndRevokingKeepsIt) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());
  EXPECT_TRUE(this->store().AuthenticationRequired().value());

  ASSERT_TRUE(RevokeApiKeyAndWait(this->store(), "ci", At("2026-11-27T11:00:00Z")).ok());

  EXPECT_TRUE(this->store().ActiveApiKeys()->empty());
  EXPECT_TRUE(this->store().AuthenticationRequired().value());
  auto other = this->backend_->Open();  // another process, or a restart
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->keys->AuthenticationRequired().value());
}

TYPED_TEST(ApiKeyStoreContract, DisablingAuthenticationIsRefusedWhileAKeyIsActiveAndClearsTheRecordAfter) {
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("ci", 'a')).ok());

  auto refused = DisableAuthenticationAndWait(this->store());
  ASSERT_TRUE(RevokeApiKeyAndWait(this->store(), "ci", At("2026-11-27T11:00:00Z")).ok());
  auto disabled = DisableAuthenticationAndWait(this->store());
  auto again = DisableAuthenticationAndWait(this->store());

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("ci"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(disabled.ok()) << disabled.error().message;
  EXPECT_TRUE(*disabled);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_FALSE(this->store().AuthenticationRequired().value());
  ASSERT_TRUE(CreateApiKeyAndWait(this->store(), Key("next", 'b')).ok());
  EXPECT_TRUE(this->store().AuthenticationRequired().value());
}

}  // namespace
}  // namespace jobsched::store::testing
