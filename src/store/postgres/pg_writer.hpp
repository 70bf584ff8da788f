#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// The thread that writes this process's changes to PostgreSQL, on a
// connection of its own, in the order they were submitted. Writes submitted
// while a transaction is committing wait, and the next transaction takes up
// to `max_batch` of them at once: group commit, as SqliteWriter does (see
// docs/decisions/0001 and 0003). Each write of a shared transaction runs in
// its own savepoint, so a failing write undoes only itself; callers hear back
// only after COMMIT returned.
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
  // Finishes every write submitted so far, then stops the thread.
  ~PgWriter();

  // Queues `apply` to run on the writer thread inside a transaction; `done`
  // receives its result after the commit (or the commit's error). Both run
  // on the writer thread.
  template <typename T>
  void Submit(std::function<core::Result<T>(PgConnection&)> apply, std::function<void(core::Result<T>)> done) {
    auto outcome = std::make_shared<std::optional<core::Result<T>>>();
    Enqueue(Write{
        [apply = std::move(apply), outcome](PgConnection& connection) {
          *outcome = apply(connection);
          return (*outcome)->ok();
        },
        [done = std::move(done), outcome](const core::Error* commit_error) {
          if (commit_error != nullptr && (!outcome->has_value() || (*outcome)->ok())) {
            done(*commit_error);
          } else {
            done(std::move(**outcome));
          }
        }});
  }

 private:
  struct Write {
    std::function<bool(PgConnection&)> apply;                   // true when it succeeded
    std::function<void(const core::Error* commit_error)> finish;  // after COMMIT or its failure
  };

  void Enqueue(Write write);
  void Loop();
  void CommitBatch(std::deque<Write>& batch);
  // BEGIN on the current connection, connecting (again) when needed.
  core::Result<void> Begin();
  // Fails every write of `batch` with `error`, rolls back and drops a broken connection.
  void Abandon(std::deque<Write>& batch, const core::Error& error);

  const std::string url_;
  const std::size_t max_batch_;
  std::unique_ptr<PgConnection> connection_;  // only the writer thread touches it after construction
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Write> pending_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  std::thread thread_;
};

}  // namespace jobsched::store::postgres
