#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/result.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {

// The one thread that writes to a SQLite database (SQLite allows one writer
// at a time anyway). Writes submitted while a transaction is committing wait,
// and the next transaction takes them all at once: group commit. Each write
// runs inside its own savepoint, so a failing write undoes only itself; its
// caller hears back only after COMMIT returned, i.e. once the write is durable.
class SqliteWriter {
 public:
  // Takes ownership of `connection`, opened read-write, and starts the thread.
  // At most `max_batch` writes share one transaction.
  SqliteWriter(std::unique_ptr<SqliteConnection> connection, std::size_t max_batch);
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;
  // Finishes every write submitted so far, then stops the thread.
  ~SqliteWriter();

  // Queues `apply` to run on the writer thread inside a shared transaction;
  // `done` receives its result after the commit (or the commit's error).
  // Both run on the writer thread.
  template <typename T>
  void Submit(std::function<core::Result<T>(SqliteConnection&)> apply, std::function<void(core::Result<T>)> done) {
    auto outcome = std::make_shared<std::optional<core::Result<T>>>();
    Enqueue(Write{
        [apply = std::move(apply), outcome](SqliteConnection& connection) {
          *outcome = apply(connection);
          return (*outcome)->ok();
        },
        [done = std::move(done), outcome](const core::Error* commit_error) {
          if (commit_error != nullptr && (*outcome)->ok()) {
            done(*commit_error);
          } else {
            done(std::move(**outcome));
          }
        }});
  }

 private:
  struct Write {
    std::function<bool(SqliteConnection&)> apply;               // true when it succeeded
    std::function<void(const core::Error* commit_error)> finish;  // after COMMIT or its failure
  };

  void Enqueue(Write write);
  void Loop();
  void CommitBatch(std::deque<Write>& batch);

  std::unique_ptr<SqliteConnection> connection_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Write> pending_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  std::thread thread_;
};

}  // namespace jobsched::store::sqlite
