#pragma once

#include <memory>
#include <string>

#include "store/postgres/pg_database.hpp"
#include "store/session_store.hpp"

namespace jobsched::store::postgres {

// Console sessions in PostgreSQL (the sessions table), shared by every node
// of a cluster: a session made through one node is accepted by all. Writes
// go through the database's main writer thread, reads through its pool.
class PostgresSessionStore final : public SessionStore {
 public:
  explicit PostgresSessionStore(std::shared_ptr<PgDatabase> database);

  void CreateSession(StoredSession session, std::function<void(core::Result<void>)> done) override;
  core::Result<std::optional<StoredSession>> FindSession(const std::string& id_hash) override;
  void TouchSession(std::string id_hash, core::TimePoint last_seen_at, core::TimePoint expires_at,
                    std::function<void(core::Result<bool>)> done) override;
  void DeleteSession(std::string id_hash, std::function<void(core::Result<bool>)> done) override;
  void DeleteExpiredSessions(core::TimePoint now, std::size_t limit,
                             std::function<void(core::Result<std::size_t>)> done) override;

 private:
  std::shared_ptr<PgDatabase> database_;
};

}  // namespace jobsched::store::postgres
