#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "core/result.hpp"
#include "store/group_commit_queue.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// The one thread that writes to a SQLite database (SQLite allows one writer
// at a time anyway), with group commit (GroupCommitQueue). Each write runs
// inside its own savepoint, so a failing write undoes only itself; its
// caller hears back only after COMMIT returned, i.e. once the write is durable.
class SqliteWriter {
 public:
  // Takes ownership of `connection`, opened read-write, and starts the thread.
  // At most `max_batch` writes share one transaction.
  SqliteWriter(std::unique_ptr<SqliteConnection> connection, std::size_t max_batch);
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

 private:
  using Queue = GroupCommitQueue<SqliteConnection>;
  void CommitBatch(Queue::Batch& batch);

  std::unique_ptr<SqliteConnection> connection_;
  Queue queue_;  // last: its thread stops before the connection goes
};

}  // namespace jobsched::store::sqlite
