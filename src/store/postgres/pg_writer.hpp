#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "store/group_commit_queue.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// A thread that writes this process's changes to PostgreSQL, on a
// connection of its own, in the order they were submitted, with group commit
// (GroupCommitQueue, as SqliteWriter; see docs/decisions/0001 and 0003).
// Each write of a shared transaction runs in its own savepoint, so a failing
// write undoes only itself; callers hear back only after COMMIT returned.
//
// A lost connection fails the writes of the transaction it was lost in with
// kUnavailable, and the next transaction connects again. A transaction that
// could not even begin on an old connection (the server restarted while we
// were idle) is begun once more on a new one: nothing had been sent yet.
class PgWriter {
 public:
  // Takes `connection` (may be null: connect on the first write) to `url`,
  // and starts the thread. `max_batch` above 64 would overflow PostgreSQL's
  // cache of subtransactions per backend, which slows every other session's
  // snapshots.
  PgWriter(std::string url, std::unique_ptr<PgConnection> connection, std::size_t max_batch);
  PgWriter(const PgWriter&) = delete;
  PgWriter& operator=(const PgWriter&) = delete;
  // Finishes every write submitted so far, then stops the thread (the queue's destructor).
  ~PgWriter() = default;

  // Queues `apply` to run on the writer thread inside a transaction; `done`
  // receives its result after the commit (or the commit's error). Both run
  // on the writer thread.
  template <typename T>
  void Submit(std::function<core::Result<T>(PgConnection&)> apply, std::function<void(core::Result<T>)> done) {
    queue_.Submit<T>(std::move(apply), std::move(done));
  }

 private:
  using Queue = GroupCommitQueue<PgConnection>;
  void CommitBatch(Queue::Batch& batch);
  // BEGIN on the current connection, connecting (again) when needed.
  core::Result<void> Begin();
  // Fails every write of `batch` with `error`, rolls back and drops a broken connection.
  void Abandon(Queue::Batch& batch, const core::Error& error);

  const std::string url_;
  std::unique_ptr<PgConnection> connection_;  // only the writer thread touches it after construction
  Queue queue_;                               // last: its thread stops before the connection goes
};

}  // namespace jobsched::store::postgres
