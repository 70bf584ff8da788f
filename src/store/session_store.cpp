#include "store/session_store.hpp"

#include <utility>

#include "store/wait.hpp"

namespace jobsched::store {

core::Result<void> CreateSessionAndWait(SessionStore& store, StoredSession session) {
  return Wait<void>([&](auto done) { store.CreateSession(std::move(session), std::move(done)); });
}

core::Result<bool> TouchSessionAndWait(SessionStore& store, std::string id_hash, core::TimePoint last_seen_at,
                                       core::TimePoint expires_at) {
  return Wait<bool>(
      [&](auto done) { store.TouchSession(std::move(id_hash), last_seen_at, expires_at, std::move(done)); });
}

core::Result<bool> DeleteSessionAndWait(SessionStore& store, std::string id_hash) {
  return Wait<bool>([&](auto done) { store.DeleteSession(std::move(id_hash), std::move(done)); });
}

core::Result<std::size_t> DeleteExpiredSessionsAndWait(SessionStore& store, core::TimePoint now, std::size_t limit) {
  return Wait<std::size_t>([&](auto done) { store.DeleteExpiredSessions(now, limit, std::move(done)); });
}

}  // namespace jobsched::store
