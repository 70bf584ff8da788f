// Sessions over a real SQLite file, with time in the test's hands.
#include "api/session_manager.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/api_token.hpp"
#include "api/session_secrets.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/wait.hpp"
#include "testing/fake_clock.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

class SessionManagerTest : public ::testing::Test {
 protected:
  SessionManagerTest() {
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
    manager_ = std::make_unique<SessionManager>(*store_, clock_);
  }

  CreatedSession Create(SessionManager& manager, const std::string& key_name = "console") {
    auto created = store::Wait<CreatedSession>([&](auto done) { manager.Create(key_name, std::move(done)); });
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? *created : CreatedSession{};
  }

  std::optional<ActiveSession> Resolve(SessionManager& manager, const std::string& id) {
    auto resolved = manager.Resolve(id);
    EXPECT_TRUE(resolved.ok()) << resolved.error().message;
    return resolved.ok() ? *resolved : std::nullopt;
  }

  // The session as stored, once every write queued before has committed (the
  // writer takes writes in order, and touches happen in the background).
  std::optional<store::StoredSession> Stored(const std::string& id) {
    EXPECT_TRUE(store::DeleteExpiredSessionsAndWait(*store_, At("2000-01-01T00:00:00Z"), 1).ok());
    auto found = store_->FindSession(HashToken(id));
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }

  jobsched::testing::TempDir dir_;
  jobsched::testing::FakeClock clock_{At("2026-11-27T10:00:00Z")};
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
  std::unique_ptr<SessionManager> manager_;
};

TEST_F(SessionManagerTest, ACreatedSessionResolvesToItsKeyAndCsrfToken) {
  const CreatedSession created = Create(*manager_);

  const auto session = Resolve(*manager_, created.id);

  EXPECT_TRUE(IsWellFormedSessionId(created.id));
  EXPECT_EQ(created.csrf_token, CsrfTokenFor(created.id));
  EXPECT_EQ(created.expires_at, At("2026-11-27T22:00:00Z"));
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->key_name, "console");
  EXPECT_EQ(session->id_hash, HashToken(created.id));
  EXPECT_TRUE(DigestsEqual(session->csrf_digest, DigestToken(created.csrf_token)));
  EXPECT_EQ(session->expires_at, At("2026-11-27T22:00:00Z"));
}

TEST_F(SessionManagerTest, TheDatabaseKeepsNeitherTheIdNorTheCsrfToken) {
  const CreatedSession created = Create(*manager_);

  const auto stored = Stored(created.id);

  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->id_hash, HashToken(created.id));
  EXPECT_EQ(stored->csrf_hash, HashToken(created.csrf_token));
  EXPECT_EQ(stored->key_name, "console");
  EXPECT_NE(stored->id_hash, created.id);
  EXPECT_NE(stored->csrf_hash, created.csrf_token);
}

TEST_F(SessionManagerTest, EverySessionHasItsOwnIdAndToken) {
  const CreatedSession first = Create(*manager_);
  const CreatedSession second = Create(*manager_);

  EXPECT_NE(first.id, second.id);
  EXPECT_NE(first.csrf_token, second.csrf_token);
}

TEST_F(SessionManagerTest, MalformedOrUnknownIdsResolveToNothing) {
  Create(*manager_);

  EXPECT_FALSE(Resolve(*manager_, "").has_value());
  EXPECT_FALSE(Resolve(*manager_, "not a session").has_value());
  EXPECT_FALSE(Resolve(*manager_, std::string(43, 'A')).has_value());
  EXPECT_FALSE(Resolve(*manager_, std::string(43, '!')).has_value());
}

TEST_F(SessionManagerTest, UseWithinTheTouchIntervalWritesNothing) {
  const CreatedSession created = Create(*manager_);

  clock_.Advance(30s);
  ASSERT_TRUE(Resolve(*manager_, created.id).has_value());
  clock_.Advance(29s);
  ASSERT_TRUE(Resolve(*manager_, created.id).has_value());

  EXPECT_EQ(Stored(created.id)->last_seen_at, At("2026-11-27T10:00:00Z"));
  EXPECT_EQ(Stored(created.id)->expires_at, At("2026-11-27T22:00:00Z"));
}

TEST_F(SessionManagerTest, UseAfterAMinuteMovesTheIdleExpiryOnInTheStore) {
  const CreatedSession created = Create(*manager_);

  clock_.Advance(61s);
  const auto session = Resolve(*manager_, created.id);

  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->expires_at, At("2026-11-27T22:01:01Z"));
  EXPECT_EQ(Stored(created.id)->last_seen_at, At("2026-11-27T10:01:01Z"));
  EXPECT_EQ(Stored(created.id)->expires_at, At("2026-11-27T22:01:01Z"));
}

TEST_F(SessionManagerTest, UseKeepsASessionAlivePastItsFirstExpiry) {
  const CreatedSession created = Create(*manager_);

  clock_.Advance(11h);
  ASSERT_TRUE(Resolve(*manager_, created.id).has_value());
  clock_.Advance(11h);

  EXPECT_TRUE(Resolve(*manager_, created.id).has_value());
}

TEST_F(SessionManagerTest, AnUnusedSessionEndsAtItsIdleExpiryAndIsDeleted) {
  // Looking at it just before its expiry must not count as use: with the
  // default touch interval that look would move the expiry on (in the
  // background, so whether the other node sees it would be a race).
  SessionManager never_touches(*store_, clock_, SessionOptions{.touch_interval = 24h});
  const CreatedSession created = Create(never_touches);

  clock_.Advance(12h - 1ms);
  ASSERT_TRUE(Resolve(never_touches, created.id).has_value());
  SessionManager fresh(*store_, clock_);  // what another node, which never saw it, reads
  clock_.Set(At("2026-11-27T22:00:00Z"));

  EXPECT_FALSE(Resolve(fresh, created.id).has_value());
  EXPECT_FALSE(Stored(created.id).has_value());
}

TEST_F(SessionManagerTest, TheIdleTimeoutIsTheOperators) {
  SessionManager short_lived(*store_, clock_, SessionOptions{.idle_timeout = 5min});
  const CreatedSession created = Create(short_lived);

  clock_.Advance(5min);

  EXPECT_EQ(created.expires_at, At("2026-11-27T10:05:00Z"));
  EXPECT_FALSE(Resolve(short_lived, created.id).has_value());
}

TEST_F(SessionManagerTest, AnEndedSessionResolvesToNothingAtOnce) {
  const CreatedSession created = Create(*manager_);
  ASSERT_TRUE(Resolve(*manager_, created.id).has_value());

  auto ended = store::Wait<void>([&](auto done) { manager_->End(HashToken(created.id), std::move(done)); });

  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_FALSE(Resolve(*manager_, created.id).has_value());
  EXPECT_FALSE(Stored(created.id).has_value());
}

// Cluster mode: every node has its own manager on the shared database.
TEST_F(SessionManagerTest, AnotherNodeAcceptsASessionThisOneMade) {
  SessionManager other(*store_, clock_);
  const CreatedSession created = Create(*manager_);

  const auto session = Resolve(other, created.id);

  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->key_name, "console");
}

TEST_F(SessionManagerTest, ASignOutThroughAnotherNodeCountsHereWithinTheCacheTtl) {
  SessionManager other(*store_, clock_);
  const CreatedSession created = Create(*manager_);
  ASSERT_TRUE(Resolve(other, created.id).has_value());

  ASSERT_TRUE(store::Wait<void>([&](auto done) { manager_->End(HashToken(created.id), std::move(done)); }).ok());
  const bool still_cached = Resolve(other, created.id).has_value();
  clock_.Advance(other.options().cache_ttl);

  EXPECT_TRUE(still_cached) << "read from memory within the TTL: no query per request";
  EXPECT_FALSE(Resolve(other, created.id).has_value());
}

TEST_F(SessionManagerTest, AFullCacheStartsOverAndKeepsWorking) {
  SessionManager small(*store_, clock_, SessionOptions{.cache_capacity = 2});
  std::vector<CreatedSession> sessions;
  for (int i = 0; i < 5; ++i) sessions.push_back(Create(small));

  for (const CreatedSession& session : sessions) ASSERT_TRUE(Resolve(small, session.id).has_value());

  for (const CreatedSession& session : sessions) EXPECT_TRUE(Resolve(small, session.id).has_value());
}

}  // namespace
}  // namespace jobsched::api
