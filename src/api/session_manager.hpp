#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "api/api_token.hpp"
#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/session_store.hpp"

namespace jobsched::api {

struct SessionOptions {
  // --session-idle-timeout: a session unused this long ends. Default 12 h.
  std::chrono::milliseconds idle_timeout{12LL * 3600 * 1000};
  // How long this node trusts a session it read before reading it again: a
  // sign-out through another node of a cluster counts here within this time.
  std::chrono::milliseconds cache_ttl{5000};
  // Use moves a session's idle expiry on at most this often, so that
  // requests do not each cost a write.
  std::chrono::milliseconds touch_interval{60'000};
  // Sessions held in memory at most; past it the cache starts over.
  std::size_t cache_capacity = 10'000;
};

// A session as a request presents it. Its key's role and namespace are not
// here: AccessControl reads them from the key cache on each request.
struct ActiveSession {
  std::string id_hash;         // hex SHA-256 of the session id
  std::string key_name;        // the API key it was made with
  TokenDigest csrf_digest;     // SHA-256 of its CSRF token
  core::TimePoint expires_at;  // the idle expiry, as of this request
};

// A session just made: what the cookie and the answer to POST /sessions carry.
struct CreatedSession {
  std::string id;          // the cookie's value; stored nowhere, only its hash
  std::string csrf_token;  // CsrfTokenFor(id)
  core::TimePoint expires_at;
};

// The console's sessions (docs/decisions/0008), in the database so any node
// of a cluster accepts them, with the ones in use held in memory for a short
// time (SessionOptions::cache_ttl) so a request costs no query. Every method
// is safe from any thread. The store and the clock must outlive it; writes
// it starts in the background do not use it after it is gone.
class SessionManager {
 public:
  SessionManager(store::SessionStore& store, const core::Clock& clock, SessionOptions options = {});

  // Makes a session for the API key named `key_name` (the caller has checked
  // the key) and answers, after its commit, on a store thread. kInternal
  // when no random id can be made.
  void Create(std::string key_name, std::function<void(core::Result<CreatedSession>)> done);

  // The live session named by the cookie value `id`, or nullopt: malformed,
  // unknown, signed out, or unused for the idle timeout. kUnavailable (or
  // the store's error) when it cannot be read. Use moves the idle expiry on,
  // in the background and at most once per touch interval.
  core::Result<std::optional<ActiveSession>> Resolve(std::string_view id);

  // Ends the session whose id hashes to `id_hash` (sign-out) and answers
  // after the commit, whether or not it still existed.
  void End(std::string id_hash, std::function<void(core::Result<void>)> done);

  const SessionOptions& options() const { return options_; }

 private:
  struct Entry {
    ActiveSession session;
    core::TimePoint last_seen_at;  // as stored, or as this node last moved it on
    core::TimePoint read_at;       // when this node read it from the store
  };

  // The stored session as this node holds it; nullopt when the store has
  // none or it is corrupt.
  core::Result<std::optional<Entry>> Read(const std::string& id_hash, core::TimePoint now);
  // Holds `entry` (read from the store, or taken from the cache) in the
  // cache and decides whether this use moves the idle expiry on; answers
  // the session as of now and that decision, or nullopt (and forgets it)
  // when it has expired.
  std::optional<std::pair<ActiveSession, bool>> Keep(Entry entry, core::TimePoint now) EXCLUDES(mutex_);
  void Forget(const std::string& id_hash) EXCLUDES(mutex_);

  store::SessionStore& store_;
  const core::Clock& clock_;
  const SessionOptions options_;
  core::Mutex mutex_;
  std::unordered_map<std::string, Entry> cache_ GUARDED_BY(mutex_);  // by id hash
};

}  // namespace jobsched::api
