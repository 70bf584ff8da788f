#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// A console session as stored (docs/decisions/0008): never the session id
// itself nor its CSRF token, only their SHA-256, so that reading the table
// gives nobody a session. The key's role and namespace are not stored: they
// are the key's, looked up on each request, so revoking the key ends them.
struct StoredSession {
  std::string id_hash;    // 64 lower-case hex digits: the SHA-256 of the cookie's session id
  std::string key_name;   // the API key signed in with
  std::string csrf_hash;  // 64 lower-case hex digits: the SHA-256 of the session's CSRF token
  core::TimePoint created_at;
  core::TimePoint last_seen_at;  // moved on by use, at most about once a minute
  core::TimePoint expires_at;    // the idle expiry: last_seen_at plus the idle timeout
};

// Where console sessions live: the same database as the keys, so that every
// node of a cluster accepts a session any node created. Every method is safe
// to call from any thread; writes answer after their commit, on a store
// thread.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Inserts `session`. kConflict when a session with that id hash exists.
  virtual void CreateSession(StoredSession session, std::function<void(core::Result<void>)> done) = 0;

  // The session whose id hashes to `id_hash`, expired or not; nullopt when
  // there is none.
  virtual core::Result<std::optional<StoredSession>> FindSession(const std::string& id_hash) = 0;

  // Moves the session's last use and idle expiry on; answers whether it
  // still existed. Never moves them back (a slower node's older touch
  // arriving late changes nothing).
  virtual void TouchSession(std::string id_hash, core::TimePoint last_seen_at, core::TimePoint expires_at,
                            std::function<void(core::Result<bool>)> done) = 0;

  // Deletes the session (sign-out); answers whether it existed.
  virtual void DeleteSession(std::string id_hash, std::function<void(core::Result<bool>)> done) = 0;

  // Deletes up to `limit` sessions whose idle expiry is at or before `now`;
  // answers how many.
  virtual void DeleteExpiredSessions(core::TimePoint now, std::size_t limit,
                                     std::function<void(core::Result<std::size_t>)> done) = 0;
};

// Blocking forms of the writes, for loops on threads of their own and tests.
core::Result<void> CreateSessionAndWait(SessionStore& store, StoredSession session);
core::Result<bool> TouchSessionAndWait(SessionStore& store, std::string id_hash, core::TimePoint last_seen_at,
                                       core::TimePoint expires_at);
core::Result<bool> DeleteSessionAndWait(SessionStore& store, std::string id_hash);
core::Result<std::size_t> DeleteExpiredSessionsAndWait(SessionStore& store, core::TimePoint now, std::size_t limit);

}  // namespace jobsched::store
