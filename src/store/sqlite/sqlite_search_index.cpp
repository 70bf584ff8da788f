#include "store/sqlite/sqlite_writes.hpp"

namespace jobsched::store::sqlite {

core::Result<void> IndexNewJobs(SqliteConnection& db) {
  // Most commits create no job (runs, claims, renames): one read of an
  // empty table, and nothing written.
  {
    auto noted = db.Cached("SELECT EXISTS (SELECT 1 FROM jobs_search_pending)");
    if (!noted) return noted.error();
    auto row = (*noted)->Step();
    if (!row) return row.error();
    if ((*noted)->ColumnInt(0) == 0) return {};
  }
  // One statement: FTS5 gathers the batch's terms and writes them out as
  // one segment (migration 0027). CROSS JOIN walks the few noted ids.
  auto index = db.Cached(
      "INSERT INTO jobs_search (rowid, name) SELECT jobs.id, jobs.name "
      "FROM jobs_search_pending CROSS JOIN jobs ON jobs.id = jobs_search_pending.id");
  if (!index) return index.error();
  if (auto indexed = (*index)->Run(); !indexed) return indexed.error();
  auto forget = db.Cached("DELETE FROM jobs_search_pending");
  if (!forget) return forget.error();
  return (*forget)->Run();
}

}  // namespace jobsched::store::sqlite
