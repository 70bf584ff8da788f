#include "store/sqlite/sqlite_connection.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "testing/temp_dir.hpp"

namespace jobsched::store::sqlite {
namespace {

// The files this process holds open whose names SQLite gives its temporary
// files ("etilqs_..."), deleted or not.
std::vector<std::string> OpenSqliteTempFiles() {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    std::error_code link_error;
    const std::string target = std::filesystem::read_symlink(entry.path(), link_error).string();
    if (!link_error && target.find("etilqs_") != std::string::npos) found.push_back(target);
  }
  return found;
}

// A write in the writer's shape (SqliteWriter: a transaction, a savepoint per
// write) that changes far more than SQLite's default 64 KiB of existing pages
// keeps their old contents in memory for ROLLBACK TO, not in a temporary
// file: the file cost a job's create a third of the writer's time.
TEST(SqliteConnectionTest, AWritesSavepointJournalStaysInMemory) {
  testing::TempDir dir;
  auto opened = SqliteConnection::Open(dir.File("journal.db"), SqliteConnection::Mode::kReadWrite);
  ASSERT_TRUE(opened) << opened.error().message;
  SqliteConnection& db = **opened;
  // About 150 pages of rows that exist before the savepoint.
  ASSERT_TRUE(
      db.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL);"
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
                 " INSERT INTO t SELECT i, randomblob(2000) FROM n;"));

  ASSERT_TRUE(db.Execute("BEGIN IMMEDIATE; SAVEPOINT w; UPDATE t SET body = randomblob(2000);"));
  const std::vector<std::string> during_write = OpenSqliteTempFiles();
  ASSERT_TRUE(db.Execute("RELEASE w; COMMIT;"));

  EXPECT_TRUE(during_write.empty()) << "the savepoint's journal went to " << during_write.front();
}

}  // namespace
}  // namespace jobsched::store::sqlite
