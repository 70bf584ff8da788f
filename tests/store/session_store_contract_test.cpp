// The SessionStore contract: every store (SQLite, PostgreSQL) passes these.
#include "store/session_store.hpp"

#include <gtest/gtest.h>

#include <string>

#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

StoredSession Session(char id_digit, const std::string& key_name = "console") {
  StoredSession session;
  session.id_hash = std::string(64, id_digit);
  session.key_name = key_name;
  session.csrf_hash = std::string(64, 'f');
  session.created_at = At("2026-11-27T10:00:00Z");
  session.last_seen_at = At("2026-11-27T10:00:00Z");
  session.expires_at = At("2026-11-27T22:00:00Z");
  return session;
}

template <typename BackendType>
class SessionStoreContract : public StoreContractTest<BackendType> {
 protected:
  SessionStore& store() { return *this->instance_.sessions; }
};

TYPED_TEST_SUITE(SessionStoreContract, Backends);

TYPED_TEST(SessionStoreContract, ACreatedSessionIsFoundWithEveryField) {
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a')).ok());

  auto found = this->store().FindSession(std::string(64, 'a'));

  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  const StoredSession& session = **found;
  EXPECT_EQ(session.id_hash, std::string(64, 'a'));
  EXPECT_EQ(session.key_name, "console");
  EXPECT_EQ(session.csrf_hash, std::string(64, 'f'));
  EXPECT_EQ(session.created_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(session.last_seen_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(session.expires_at, At("2026-11-27T22:00:00Z"));
}

TYPED_TEST(SessionStoreContract, AnUnknownIdFindsNothing) {
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a')).ok());

  auto found = this->store().FindSession(std::string(64, 'b'));

  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_FALSE(found->has_value());
}

TYPED_TEST(SessionStoreContract, RefusesASecondSessionWithTheSameId) {
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a', "first")).ok());

  auto again = CreateSessionAndWait(this->store(), Session('a', "second"));

  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ((*this->store().FindSession(std::string(64, 'a')))->key_name, "first");
}

TYPED_TEST(SessionStoreContract, ASessionMadeThroughOneInstanceIsFoundThroughAnother) {
  StoreInstance other = this->OpenInstance();
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a')).ok());

  auto found = other.sessions->FindSession(std::string(64, 'a'));

  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->key_name, "console");
}

TYPED_TEST(SessionStoreContract, TouchingMovesTheLastUseAndTheExpiryOn) {
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a')).ok());

  auto touched =
      TouchSessionAndWait(this->store(), std::string(64, 'a'), At("2026-11-27T11:00:00Z"), At("2026-11-27T23:00:00Z"));

  ASSERT_TRUE(touched.ok()) << touched.error().message;
  EXPECT_TRUE(*touched);
  const StoredSession session = **this->store().FindSession(std::string(64, 'a'));
  EXPECT_EQ(session.last_seen_at, At("2026-11-27T11:00:00Z"));
  EXPECT_EQ(session.expires_at, At("2026-11-27T23:00:00Z"));
  EXPECT_EQ(session.created_at, At("2026-11-27T10:00:00Z"));
}

TYPED_TEST(SessionStoreContract, ALateOlderTouchNeverMovesTheExpiryBack) {
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a')).ok());
  ASSERT_TRUE(
      TouchSessionAndWait(this->store(), std::string(64, 'a'), At("2026-11-27T11:00:00Z"), At("2026-11-27T23:00:00Z"))
          .ok());

  auto late =
      TouchSessionAndWait(this->store(), std::string(64, 'a'), At("2026-11-27T10:30:00Z"), At("2026-11-27T22:30:00Z"));

  ASSERT_TRUE(late.ok()) << late.error().message;
  const StoredSession session = **this->store().FindSession(std::string(64, 'a'));
  EXPECT_EQ(session.last_seen_at, At("2026-11-27T11:00:00Z"));
  EXPECT_EQ(session.expires_at, At("2026-11-27T23:00:00Z"));
}

TYPED_TEST(SessionStoreContract, TouchingAMissingSessionSaysSo) {
  auto touched =
      TouchSessionAndWait(this->store(), std::string(64, 'a'), At("2026-11-27T11:00:00Z"), At("2026-11-27T23:00:00Z"));

  ASSERT_TRUE(touched.ok()) << touched.error().message;
  EXPECT_FALSE(*touched);
  EXPECT_FALSE(this->store().FindSession(std::string(64, 'a'))->has_value());
}

TYPED_TEST(SessionStoreContract, DeletingEndsTheSessionOnce) {
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('a')).ok());
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('b')).ok());

  auto first = DeleteSessionAndWait(this->store(), std::string(64, 'a'));
  auto second = DeleteSessionAndWait(this->store(), std::string(64, 'a'));

  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(*second);
  EXPECT_FALSE(this->store().FindSession(std::string(64, 'a'))->has_value());
  EXPECT_TRUE(this->store().FindSession(std::string(64, 'b'))->has_value());
}

TYPED_TEST(SessionStoreContract, PruningDeletesOnlyExpiredSessionsUpToTheLimit) {
  for (const char digit : {'a', 'b', 'c'}) {
    StoredSession expired = Session(digit);
    expired.expires_at = At("2026-11-27T09:00:00Z");
    ASSERT_TRUE(CreateSessionAndWait(this->store(), expired).ok());
  }
  StoredSession at_the_instant = Session('d');
  at_the_instant.expires_at = At("2026-11-27T10:00:00Z");
  ASSERT_TRUE(CreateSessionAndWait(this->store(), at_the_instant).ok());
  ASSERT_TRUE(CreateSessionAndWait(this->store(), Session('e')).ok());

  auto first = DeleteExpiredSessionsAndWait(this->store(), At("2026-11-27T10:00:00Z"), 2);
  auto rest = DeleteExpiredSessionsAndWait(this->store(), At("2026-11-27T10:00:00Z"), 100);
  auto none = DeleteExpiredSessionsAndWait(this->store(), At("2026-11-27T10:00:00Z"), 100);

  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, 2u);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  EXPECT_EQ(*rest, 2u);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(*none, 0u);
  for (const char digit : {'a', 'b', 'c', 'd'}) {
    EXPECT_FALSE(this->store().FindSession(std::string(64, digit))->has_value()) << digit;
  }
  EXPECT_TRUE(this->store().FindSession(std::string(64, 'e'))->has_value());
}

}  // namespace
}  // namespace jobsched::store::testing
