// The SessionStore half of SqliteJobStore: the sessions table.
#include <utility>

#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {
namespace {

constexpr std::string_view kSessionColumns = "id_hash, key_name, csrf_hash, created_at, last_seen_at, expires_at";

core::Result<StoredSession> SessionFromRow(const Statement& row, int first) {
  StoredSession session;
  session.id_hash = row.ColumnText(first + 0);
  session.key_name = row.ColumnText(first + 1);
  session.csrf_hash = row.ColumnText(first + 2);
  session.created_at = core::FromUnixMs(row.ColumnInt(first + 3));
  session.last_seen_at = core::FromUnixMs(row.ColumnInt(first + 4));
  session.expires_at = core::FromUnixMs(row.ColumnInt(first + 5));
  return session;
}

}  // namespace

void SqliteJobStore::CreateSession(StoredSession session, std::function<void(core::Result<void>)> done) {
  writer_->Submit<void>(
      [session = std::move(session)](SqliteConnection& db) -> core::Result<void> {
        // OR IGNORE: a taken id comes back as no change, and the shared
        // transaction stays usable for the other writes of its batch.
        auto insert = db.Cached(
            "INSERT OR IGNORE INTO sessions (id_hash, key_name, csrf_hash, created_at, last_seen_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        if (!insert) return insert.error();
        (*insert)
            ->Bind(1, session.id_hash)
            .Bind(2, session.key_name)
            .Bind(3, session.csrf_hash)
            .Bind(4, core::ToUnixMs(session.created_at))
            .Bind(5, core::ToUnixMs(session.last_seen_at))
            .Bind(6, core::ToUnixMs(session.expires_at));
        if (auto ran = (*insert)->Run(); !ran) return ran.error();
        if (db.Changes() == 0) return core::Error::Conflict("a session with this id exists already");
        return core::Ok();
      },
      std::move(done));
}

core::Result<std::optional<StoredSession>> SqliteJobStore::FindSession(const std::string& id_hash) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kSql = "SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id_hash = ?";
  auto statement = (**reader).Cached(kSql);
  if (!statement) return statement.error();
  (*statement)->Bind(1, id_hash);
  auto row = (*statement)->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<StoredSession>();
  auto session = SessionFromRow(**statement, 0);
  if (!session) return session.error();
  return std::optional<StoredSession>(std::move(session).value());
}

void SqliteJobStore::TouchSession(std::string id_hash, core::TimePoint last_seen_at, core::TimePoint expires_at,
                                  std::function<void(core::Result<bool>)> done) {
  writer_->Submit<bool>(
      [id_hash = std::move(id_hash), last_seen_at, expires_at](SqliteConnection& db) -> core::Result<bool> {
        auto touch = db.Cached(
            "UPDATE sessions SET last_seen_at = max(last_seen_at, ?), expires_at = max(expires_at, ?) "
            "WHERE id_hash = ?");
        if (!touch) return touch.error();
        (*touch)->Bind(1, core::ToUnixMs(last_seen_at)).Bind(2, core::ToUnixMs(expires_at)).Bind(3, id_hash);
        if (auto ran = (*touch)->Run(); !ran) return ran.error();
        return db.Changes() > 0;
      },
      std::move(done));
}

void SqliteJobStore::DeleteSession(std::string id_hash, std::function<void(core::Result<bool>)> done) {
  writer_->Submit<bool>(
      [id_hash = std::move(id_hash)](SqliteConnection& db) -> core::Result<bool> {
        auto remove = db.Cached("DELETE FROM sessions WHERE id_hash = ?");
        if (!remove) return remove.error();
        (*remove)->Bind(1, id_hash);
        if (auto ran = (*remove)->Run(); !ran) return ran.error();
        return db.Changes() > 0;
      },
      std::move(done));
}

void SqliteJobStore::DeleteExpiredSessions(core::TimePoint now, std::size_t limit,
                                           std::function<void(core::Result<std::size_t>)> done) {
  SubmitDeleteBatch(*writer_,
                    "DELETE FROM sessions WHERE id_hash IN "
                    "(SELECT id_hash FROM sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
                    now, limit, std::move(done));
}

}  // namespace jobsched::store::sqlite
