#include "store/postgres/postgres_session_store.hpp"

#include <utility>

#include "store/postgres/pg_rows.hpp"
#include "store/postgres/pg_writes.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

constexpr std::string_view kSessionColumns = "id_hash, key_name, csrf_hash, created_at, last_seen_at, expires_at";

core::Result<StoredSession> SessionFromRow(const PgResult& result, int row, int first) {
  StoredSession session;
  session.id_hash = std::string(result.Text(row, first + 0));
  session.key_name = std::string(result.Text(row, first + 1));
  session.csrf_hash = std::string(result.Text(row, first + 2));
  session.created_at = core::FromUnixMs(result.Int(row, first + 3));
  session.last_seen_at = core::FromUnixMs(result.Int(row, first + 4));
  session.expires_at = core::FromUnixMs(result.Int(row, first + 5));
  return session;
}

}  // namespace

PostgresSessionStore::PostgresSessionStore(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

void PostgresSessionStore::CreateSession(StoredSession session, std::function<void(core::Result<void>)> done) {
  database_->writer().Submit<void>(
      [session = std::move(session)](PgConnection& db) -> core::Result<void> {
        // ON CONFLICT DO NOTHING: a taken id comes back as no row, and the
        // transaction (shared with other writes) stays usable.
        auto inserted = db.Query(
            "INSERT INTO sessions (id_hash, key_name, csrf_hash, created_at, last_seen_at, expires_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            PgParams()
                .Add(session.id_hash)
                .Add(session.key_name)
                .Add(session.csrf_hash)
                .Add(ToUnixMs(session.created_at))
                .Add(ToUnixMs(session.last_seen_at))
                .Add(ToUnixMs(session.expires_at)));
        if (!inserted) return inserted.error();
        if (inserted->affected() == 0) return core::Error::Conflict("a session with this id exists already");
        return core::Ok();
      },
      std::move(done));
}

core::Result<std::optional<StoredSession>> PostgresSessionStore::FindSession(const std::string& id_hash) {
  static const std::string kSql = "SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id_hash = $1";
  return database_->readers().Read<std::optional<StoredSession>>(
      [&id_hash](PgConnection& db) -> core::Result<std::optional<StoredSession>> {
        auto selected = db.Query(kSql, PgParams().Add(id_hash));
        if (!selected) return selected.error();
        if (selected->rows() == 0) return std::optional<StoredSession>();
        auto session = SessionFromRow(*selected, 0, 0);
        if (!session) return session.error();
        return std::optional<StoredSession>(std::move(session).value());
      });
}

void PostgresSessionStore::TouchSession(std::string id_hash, core::TimePoint last_seen_at, core::TimePoint expires_at,
                                        std::function<void(core::Result<bool>)> done) {
  database_->writer().Submit<bool>(
      [id_hash = std::move(id_hash), last_seen_at, expires_at](PgConnection& db) -> core::Result<bool> {
        auto touched = db.Query(
            "UPDATE sessions SET last_seen_at = greatest(last_seen_at, $1), expires_at = greatest(expires_at, $2) "
            "WHERE id_hash = $3",
            PgParams().Add(ToUnixMs(last_seen_at)).Add(ToUnixMs(expires_at)).Add(id_hash));
        if (!touched) return touched.error();
        return touched->affected() > 0;
      },
      std::move(done));
}

void PostgresSessionStore::DeleteSession(std::string id_hash, std::function<void(core::Result<bool>)> done) {
  database_->writer().Submit<bool>(
      [id_hash = std::move(id_hash)](PgConnection& db) -> core::Result<bool> {
        auto removed = db.Query("DELETE FROM sessions WHERE id_hash = $1", PgParams().Add(id_hash));
        if (!removed) return removed.error();
        return removed->affected() > 0;
      },
      std::move(done));
}

void PostgresSessionStore::DeleteExpiredSessions(core::TimePoint now, std::size_t limit,
                                                 std::function<void(core::Result<std::size_t>)> done) {
  // SKIP LOCKED: a session another node is pruning (or touching) is left to
  // it rather than waited for.
  SubmitDeleteBatch(database_->writer(),
                    "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE expires_at <= $1 "
                    "ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
                    now, limit, std::move(done));
}

}  // namespace jobsched::store::postgres
