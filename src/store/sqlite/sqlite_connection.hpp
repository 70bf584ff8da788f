#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace jobsched::store::sqlite {

// A prepared statement, reset and cleared for reuse on every Bind round.
// Column and bind indexes follow SQLite: bind from 1, columns from 0.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Resets the statement and clears old bindings, ready for new ones.
  Statement& Reset();
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, std::optional<std::int64_t> value);
  Statement& BindNull(int index);

  // Steps once: true with a row to read, false when done; an error otherwise.
  core::Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  core::Result<void> Run();

  std::int64_t ColumnInt(int column) const;
  std::optional<std::int64_t> ColumnOptionalInt(int column) const;
  std::string ColumnText(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_;
};

// A cached statement borrowed for one use. Destroying it resets the
// statement: a statement left mid-result keeps a read snapshot open, and one
// forgotten snapshot stops every WAL checkpoint (the log then grows forever).
class StatementUse {
 public:
  explicit StatementUse(Statement* statement) : statement_(statement) {}
  StatementUse(StatementUse&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
  StatementUse& operator=(StatementUse&&) = delete;
  ~StatementUse() {
    if (statement_ != nullptr) statement_->Reset();
  }
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

// Process-wide SQLite settings (allocation statistics off). main() calls it
// before any thread starts, as sqlite3_config requires; Open() calls it too,
// for tests and tools, where it is then the first use of SQLite. Idempotent.
void ConfigureSqliteLibrary();

// One SQLite connection, used by one thread at a time. Statements prepared
// through Cached() live as long as the connection and are reused.
class SqliteConnection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating it in kReadWrite mode) the database file at `path`, in
  // WAL mode with synchronous=FULL, foreign keys on and a busy timeout.
  static core::Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Mode mode);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // Runs one or more statements that return no rows.
  core::Result<void> Execute(std::string_view sql);
  // A prepared statement for `sql`, compiled on first use and reused after;
  // reset when the returned use ends.
  core::Result<StatementUse> Cached(std::string_view sql);

  std::int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t Changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  // Declared after db_ so statements are finalized before the connection closes.
  std::map<std::string, Statement, std::less<>> statements_;
};

// One snapshot for several reads on `db`: BEGIN on construction (check
// begun()), ROLLBACK when it goes out of scope, whatever path leaves it.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(SqliteConnection& db) : db_(db), begun_(db.Execute("BEGIN")) {}
  ~ReadSnapshot() {
    if (begun_) (void)db_.Execute("ROLLBACK");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  const core::Result<void>& begun() const { return begun_; }

 private:
  SqliteConnection& db_;
  core::Result<void> begun_;
};

// Turns the connection's last error into a core::Error: a locked or busy
// database is kUnavailable, a constraint violation kConflict, others kInternal.
core::Error SqliteError(sqlite3* db, std::string_view context);

}  // namespace jobsched::store::sqlite
