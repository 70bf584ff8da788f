#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "core/result.hpp"
#include "store/group_commit_queue.hpp"
#include "store/sqlite/commit_pacer.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_wal.hpp"
#include "store/sqlite/wal_policy.hpp"

namespace jobsched::store::sqlite {

struct SqliteWriterOptions {
  // At most this many writes share one transaction.
  std::size_t max_batch = 1024;
  // Under sustained load, commits start at most one per `commit_spacing`
  // after a burst of `commit_burst` (CommitPacer): each write waits at most
  // that much longer, and the WAL takes far fewer bytes per write. Zero: no pacing.
  std::chrono::microseconds commit_spacing{0};
  int commit_burst = 1;
  // A paced commit goes at once when this many writes wait: a batch that big
  // writes the hot pages once for all of them already (less than half a KB
  // of WAL each), and waiting for more would only slow down callers that
  // wait for their commits (decision 0006).
  std::size_t commit_enough = 64;
  // When the writer resets the WAL, and how long that may hold writes up.
  WalLimits wal = {};
  // Runs after the batch's writes, inside its transaction, just before
  // COMMIT (the job store's IndexNewJobs). Its failure fails the whole
  // batch: every write hears the error and nothing commits.
  std::function<core::Result<void>(SqliteConnection&)> before_commit;
};

// The one thread that writes to a SQLite database (SQLite allows one writer
// at a time anyway), with group commit (GroupCommitQueue). Each write runs
// inside its own savepoint, so a failing write undoes only itself; its
// caller hears back only after COMMIT returned, i.e. once the write is durable.
// Between two commits it keeps the WAL bounded (WalPolicy: a RESTART
// checkpoint once the WAL is past its limit); it counts what it writes to the
// WAL in `wal`, which must outlive it.
class SqliteWriter {
 public:
  // Takes ownership of `connection`, opened read-write with automatic
  // checkpoints off, and starts the thread.
  SqliteWriter(std::unique_ptr<SqliteConnection> connection, const SqliteWriterOptions& options, WalState& wal);
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;
  // Finishes every write submitted so far, then stops the thread (the queue's destructor).
  ~SqliteWriter() = default;

  // Queues `apply` to run on the writer thread inside a shared transaction;
  // `done` receives its result after the commit (or the commit's error).
  // Both run on the writer thread.
  template <typename T>
  void Submit(std::function<core::Result<T>(SqliteConnection&)> apply, std::function<void(core::Result<T>)> done) {
    queue_.Submit<T>(std::move(apply), std::move(done));
  }

  // From a `done` (the writer thread): the write found more work than its
  // batch took, so commits go unpaced for a while (CommitPacer::Backlog).
  void NoteBacklog() { pacer_.Backlog(std::chrono::steady_clock::now()); }

 private:
  using Queue = GroupCommitQueue<SqliteConnection>;
  void CommitBatch(Queue::Batch& batch);
  void RunBatch(Queue::Batch& batch);
  // Between commits: a RESTART checkpoint when the policy asks for one.
  void KeepWalBounded();
  static int OnWalCommit(void* writer, struct sqlite3* db, const char* name, int frames);

  std::unique_ptr<SqliteConnection> connection_;
  WalState& wal_;
  WalPolicy policy_;   // writer thread only
  CommitPacer pacer_;  // writer thread only
  std::function<core::Result<void>(SqliteConnection&)> before_commit_;
  std::int64_t wal_frames_ = 0;  // in the WAL after the last commit (writer thread)
  Queue queue_;                  // last: its thread stops before the connection goes
};

}  // namespace jobsched::store::sqlite
