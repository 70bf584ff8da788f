#include "api/session_manager.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/session_secrets.hpp"

namespace jobsched::api {

SessionManager::SessionManager(store::SessionStore& store, const core::Clock& clock, SessionOptions options)
    : store_(store), clock_(clock), options_(options) {}

void SessionManager::Create(std::string key_name, std::function<void(core::Result<CreatedSession>)> done) {
  auto id = GenerateSessionId();
  if (!id) return done(id.error());
  const core::TimePoint now = clock_.Now();
  CreatedSession created{*id, CsrfTokenFor(*id), now + options_.idle_timeout};
  store::StoredSession stored;
  stored.id_hash = HashToken(*id);
  stored.key_name = std::move(key_name);
  stored.csrf_hash = HashToken(created.csrf_token);
  stored.created_at = now;
  stored.last_seen_at = now;
  stored.expires_at = created.expires_at;
  store_.CreateSession(std::move(stored), [created = std::move(created),
                                           done = std::move(done)](const core::Result<void>& stored_session) mutable {
    if (!stored_session) return done(stored_session.error());
    done(std::move(created));
  });
}

core::Result<std::optional<SessionManager::Entry>> SessionManager::Read(const std::string& id_hash,
                                                                        core::TimePoint now) {
  auto found = store_.FindSession(id_hash);
  if (!found) return found.error();
  if (!*found) return std::optional<Entry>();
  const auto csrf = ParseTokenHash((*found)->csrf_hash);
  if (!csrf) {
    // A row nobody could send the token of; the session is unusable.
    spdlog::warn("a session of API key '{}' has a malformed CSRF hash in the database; it is ignored",
                 (*found)->key_name);
    return std::optional<Entry>();
  }
  return std::optional<Entry>(Entry{ActiveSession{id_hash, std::move((*found)->key_name), *csrf, (*found)->expires_at},
                                    (*found)->last_seen_at, now});
}

core::Result<std::optional<ActiveSession>> SessionManager::Resolve(std::string_view id) {
  if (!IsWellFormedSessionId(id)) return std::optional<ActiveSession>();
  const std::string id_hash = HashToken(id);
  const core::TimePoint now = clock_.Now();
  std::optional<Entry> entry;
  {
    core::MutexLock lock(mutex_);
    const auto cached = cache_.find(id_hash);
    if (cached != cache_.end() && now < cached->second.read_at + options_.cache_ttl) entry = cached->second;
  }
  if (!entry) {
    auto read = Read(id_hash, now);
    if (!read) return read.error();
    entry = std::move(*read);
    if (!entry) {
      Forget(id_hash);
      return std::optional<ActiveSession>();
    }
  }
  auto kept = Keep(std::move(*entry), now);
  if (!kept) {
    // Unused for the idle timeout: deleted now rather than at the next
    // prune; nobody waits for it.
    store_.DeleteSession(id_hash, [](const core::Result<bool>& deleted) {
      if (!deleted) spdlog::warn("cannot delete an expired session: {}", deleted.error().message);
    });
    return std::optional<ActiveSession>();
  }
  auto& [session, touch] = *kept;
  if (touch) {
    // In the background: the request does not wait for a write. The
    // callback must not use this manager, which may be gone by then.
    store_.TouchSession(id_hash, now, session.expires_at, [](const core::Result<bool>& touched) {
      if (!touched) spdlog::warn("cannot move a session's idle expiry on: {}", touched.error().message);
    });
  }
  return std::optional<ActiveSession>(std::move(session));
}

void SessionManager::End(std::string id_hash, std::function<void(core::Result<void>)> done) {
  Forget(id_hash);
  store_.DeleteSession(std::move(id_hash), [done = std::move(done)](const core::Result<bool>& deleted) {
    if (!deleted) return done(deleted.error());
    done(core::Ok());
  });
}

std::optional<std::pair<ActiveSession, bool>> SessionManager::Keep(Entry entry, core::TimePoint now) {
  core::MutexLock lock(mutex_);
  auto kept = cache_.find(entry.session.id_hash);
  if (kept == cache_.end()) {
    if (cache_.size() >= options_.cache_capacity) {
      std::erase_if(cache_, [&](const auto& item) { return now >= item.second.read_at + options_.cache_ttl; });
      if (cache_.size() >= options_.cache_capacity) cache_.clear();
    }
    const std::string id_hash = entry.session.id_hash;
    kept = cache_.emplace(id_hash, std::move(entry)).first;
  } else if (entry.read_at != kept->second.read_at) {
    // Read again from the store; what this node moved on meanwhile (its
    // touch may not have committed yet) stays.
    const core::TimePoint last_seen_at = std::max(kept->second.last_seen_at, entry.last_seen_at);
    const core::TimePoint expires_at = std::max(kept->second.session.expires_at, entry.session.expires_at);
    kept->second = std::move(entry);
    kept->second.last_seen_at = last_seen_at;
    kept->second.session.expires_at = expires_at;
  }
  if (now >= kept->second.session.expires_at) {
    cache_.erase(kept);
    return std::nullopt;
  }
  // Decided under the lock, so concurrent requests of one session touch it once.
  const bool touch = now - kept->second.last_seen_at >= options_.touch_interval;
  if (touch) {
    kept->second.last_seen_at = now;
    kept->second.session.expires_at = now + options_.idle_timeout;
  }
  return std::make_pair(kept->second.session, touch);
}

void SessionManager::Forget(const std::string& id_hash) {
  core::MutexLock lock(mutex_);
  cache_.erase(id_hash);
}

}  // namespace jobsched::api
