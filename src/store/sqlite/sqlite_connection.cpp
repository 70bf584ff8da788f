#include "store/sqlite/sqlite_connection.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sqlite3.h>

#include "store/sqlite/sqlite_memory.hpp"

namespace jobsched::store::sqlite {

// SQLite keeps allocation statistics under one process-wide mutex, taken on
// every allocation; a read allocates once per text column, so the reader
// threads serialised on it (profile of GET /jobs/{id}). Nothing here reads
// the statistics (sqlite3_memory_used) or sets a soft heap limit. It must be
// configured before SQLite initialises; when something else initialised it
// first, sqlite3_config refuses and the statistics simply stay on.
//
// SqliteMemory replaces SQLite's allocator (why: sqlite_memory.hpp), except
// under AddressSanitizer, which must see every block SQLite frees to catch a
// use after free.
void ConfigureSqliteLibrary() {
  static const int kOnce = [] {
    const int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (!kAddressSanitizer) (void)sqlite3_config(SQLITE_CONFIG_MALLOC, &SqliteMemory::Methods());
    return statistics;
  }();
  (void)kOnce;
}

core::Error SqliteError(sqlite3* db, std::string_view context) {
  const int code = sqlite3_extended_errcode(db);
  std::string message = std::string(context) + ": " + sqlite3_errmsg(db);
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL: return core::Error::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT: return core::Error::Conflict(std::move(message));
    default: return core::Error::Internal(std::move(message));
  }
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::Bind(int index, std::optional<std::int64_t> value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

core::Result<bool> Statement::Step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  core::Error error = SqliteError(db_, "sqlite step");
  sqlite3_reset(statement_);
  return error;
}

core::Result<void> Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return row.error();
    if (!*row) return core::Ok();
  }
}

std::int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(statement_, column); }

std::optional<std::int64_t> Statement::ColumnOptionalInt(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement_, column);
}

std::optional<std::string> Statement::ColumnOptionalText(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return ColumnText(column);
}

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

namespace {

// SQLite would create a missing database 0644: readable by every user of the
// host, and it holds webhook secrets. Creating it first, empty, 0600 whatever
// the umask, makes SQLite use it (and give its WAL and SHM the same mode).
core::Result<void> CreatePrivately(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) return core::Ok();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return core::Ok();  // it exists, or SQLite's own open will say why not
  const int error = ::fchmod(fd, 0600) == 0 ? 0 : errno;
  ::close(fd);
  if (error != 0) return core::Error::Unavailable("cannot make " + path + " private: " + std::strerror(error));
  return core::Ok();
}

}  // namespace

core::Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path, Mode mode) {
  ConfigureSqliteLibrary();  // a no-op once main() has done it
  if (mode == Mode::kReadWrite) {
    if (auto created = CreatePrivately(path); !created) return created.error();
  }
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time, so SQLite's own
  // per-connection mutex would only cost time.
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (mode == Mode::kReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    core::Error error = db ? SqliteError(db, "cannot open " + path)
                           : core::Error::Unavailable("cannot open " + path + ": out of memory");
    sqlite3_close(db);
    return error;
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  // A 201 must mean the job survives a power cut: WAL with synchronous=FULL
  // fsyncs the log on every commit. Readers never block the writer in WAL.
  std::string setup =
      "PRAGMA busy_timeout = 5000;"
      // A reset WAL is cut back to this size, so one burst does not leave a
      // huge log file behind.
      "PRAGMA journal_size_limit = 67108864;"
      "PRAGMA foreign_keys = ON;"
      "PRAGMA synchronous = FULL;";
  // The writer's savepoints (one per write, SqliteWriter) keep the pages a
  // write changes in a sub-journal for ROLLBACK TO. SQLite's default spills
  // it to a temporary file past 64 KiB, and a job's create changes about 30
  // pages (the job, its indexes, name search, counts, the audit entry): each
  // create wrote about 120 KB to a file in /var/tmp, opened per commit, a
  // third of the writer's time (bench/README.md, "POST /jobs after the
  // features"). In memory it is freed at each RELEASE; nothing in it is
  // durable (the WAL is), so a crash loses nothing it held.
  if (mode == Mode::kReadWrite) setup = "PRAGMA journal_mode = WAL; PRAGMA temp_store = MEMORY;" + setup;
  if (auto done = connection->Execute(setup); !done) return done.error();
  return connection;
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();
  sqlite3_close(db_);
}

core::Result<void> SqliteConnection::Execute(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    core::Error error = SqliteError(db_, "sqlite exec");
    sqlite3_free(message);
    return error;
  }
  return core::Ok();
}

core::Result<StatementUse> SqliteConnection::Cached(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
        SQLITE_OK) {
      return SqliteError(db_, "sqlite prepare");
    }
    found = statements_.emplace(std::string(sql), Statement(db_, raw)).first;
  }
  found->second.Reset();
  return StatementUse(&found->second);
}

std::int64_t SqliteConnection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t SqliteConnection::Changes() const { return sqlite3_changes64(db_); }

}  // namespace jobsched::store::sqlite
