#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/job_store.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_writer.hpp"

namespace jobsched::store::sqlite {

struct SqliteOptions {
  std::string path;              // database file, created if missing
  std::size_t max_batch = 1024;  // writes per group-commit transaction
};

// The embedded store: one SQLite file in WAL mode. Writes go through one
// writer thread with group commit; reads run in parallel, each on a
// connection taken from a pool (one per concurrently reading thread).
class SqliteJobStore final : public JobStore {
 public:
  // Opens the database, applying pending migrations first. Fails with
  // kUnavailable when the file cannot be opened or written.
  static core::Result<std::unique_ptr<SqliteJobStore>> Open(const SqliteOptions& options);

  // Applies pending migrations to the database at `path` and returns the
  // schema version it is at afterwards.
  static core::Result<int> Migrate(const std::string& path);

  void CreateJob(core::Job job, JobCallback done) override;
  core::Result<core::Job> GetJob(core::JobId id) override;
  core::Result<std::vector<core::Job>> ListJobs(const JobListQuery& query) override;
  core::Result<void> Ping() override;

 private:
  class ReaderLease;

  SqliteJobStore(std::string path, std::unique_ptr<SqliteWriter> writer);
  core::Result<ReaderLease> AcquireReader();
  void ReleaseReader(std::unique_ptr<SqliteConnection> connection);

  const std::string path_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;  // guarded by readers_mutex_
  // Last member: destroyed first, so queued writes finish while the rest lives.
  std::unique_ptr<SqliteWriter> writer_;
};

}  // namespace jobsched::store::sqlite
