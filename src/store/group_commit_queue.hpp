#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "core/annotated_mutex.hpp"
#include "core/result.hpp"

namespace jobsched::store {

// A write to run inside a shared transaction, and the caller to answer.
template <typename Connection>
struct GroupWrite {
  std::function<bool(Connection&)> apply;                       // true when it succeeded
  std::function<void(const core::Error* commit_error)> finish;  // after COMMIT, or without one when it failed
};

// The thread behind a database's writer (SqliteWriter, PgWriter): writes
// submitted while a transaction commits wait, and the next transaction takes
// up to `max_batch` of them at once (group commit, docs/decisions/0001). How
// a batch becomes a transaction is the writer's: `commit` runs each write's
// apply and calls each write's finish exactly once.
template <typename Connection>
class GroupCommitQueue {
 public:
  using Batch = std::deque<GroupWrite<Connection>>;
  using Clock = std::chrono::steady_clock;

  // Starts the thread. `commit` must stay callable until the queue is destroyed.
  // `hold_until`, if given, is asked on the thread before each batch is taken:
  // pending writes wait until the time it returns, so that more of them share
  // the next transaction (SQLite's CommitPacer). Stopping cuts the wait short,
  // and so do `enough` pending writes: a batch that big gains little from
  // more, and holding it back would only cap the callers that wait for their
  // commits (64 clients each waiting up to a hold's 12 ms: 5,300 writes/s).
  GroupCommitQueue(std::size_t max_batch, std::function<void(Batch&)> commit,
                   std::function<Clock::time_point()> hold_until = nullptr, std::size_t enough = 0)
      : max_batch_(max_batch == 0 ? 1 : max_batch),
        enough_(enough == 0 || enough > max_batch_ ? max_batch_ : enough),
        commit_(std::move(commit)),
        hold_until_(std::move(hold_until)) {
    thread_ = std::thread([this] { Loop(); });
  }
  GroupCommitQueue(const GroupCommitQueue&) = delete;
  GroupCommitQueue& operator=(const GroupCommitQueue&) = delete;
  // Commits every write submitted so far, then stops the thread.
  ~GroupCommitQueue() {
    {
      core::MutexLock lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  // Queues `apply` to run on the thread inside a shared transaction; `done`
  // receives its result after the commit, or the error that kept the
  // transaction from committing (or from beginning: then `apply` never ran).
  // Both run on the thread.
  template <typename T>
  void Submit(std::function<core::Result<T>(Connection&)> apply, std::function<void(core::Result<T>)> done) {
    auto outcome = std::make_shared<std::optional<core::Result<T>>>();
    Enqueue(GroupWrite<Connection>{[apply = std::move(apply), outcome](Connection& connection) {
                                     *outcome = apply(connection);
                                     return (*outcome)->ok();
                                   },
                                   [done = std::move(done), outcome](const core::Error* commit_error) {
                                     // A write that failed keeps its own error; one that succeeded (or
                                     // never ran) hears why its transaction did not commit.
                                     if (commit_error != nullptr && (!outcome->has_value() || (*outcome)->ok())) {
                                       done(*commit_error);
                                     } else {
                                       done(std::move(**outcome));
                                     }
                                   }});
  }

 private:
  void Enqueue(GroupWrite<Connection> write) EXCLUDES(mutex_) {
    bool wake = false;
    {
      core::MutexLock lock(mutex_);
      pending_.push_back(std::move(write));
      // Only what ends the thread's wait wakes it: the first write while it
      // is idle, or the one that makes `enough` while it holds a batch back.
      // While it commits it takes what is pending when it is done. Waking it
      // for every write of a hold cost it a context switch per write, a
      // tenth of SQLite's writer thread under POST /jobs (issue #19).
      wake = waiting_ == Waiting::kForAny || (waiting_ == Waiting::kForEnough && pending_.size() >= enough_);
    }
    if (wake) wake_.notify_one();
  }

  void Loop() EXCLUDES(mutex_) {
    Batch batch;
    for (;;) {
      {
        core::MutexLock lock(mutex_);
        waiting_ = Waiting::kForAny;
        wake_.wait(lock.native(), [this] {
          mutex_.AssertHeld();
          return stopping_ || !pending_.empty();
        });
        if (pending_.empty()) return;  // stopping, and everything submitted is done
        if (hold_until_) {
          waiting_ = Waiting::kForEnough;
          wake_.wait_until(lock.native(), hold_until_(), [this] {
            mutex_.AssertHeld();
            return stopping_ || pending_.size() >= enough_;
          });
        }
        waiting_ = Waiting::kNothing;
        while (!pending_.empty() && batch.size() < max_batch_) {
          batch.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
      commit_(batch);
      batch.clear();
    }
  }

  const std::size_t max_batch_;
  const std::size_t enough_;
  const std::function<void(Batch&)> commit_;
  const std::function<Clock::time_point()> hold_until_;
  // What the thread's wait is for, so that Enqueue wakes it only when that comes.
  enum class Waiting { kNothing, kForAny, kForEnough };

  core::Mutex mutex_;
  std::condition_variable wake_;
  Batch pending_ GUARDED_BY(mutex_);
  Waiting waiting_ GUARDED_BY(mutex_) = Waiting::kNothing;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace jobsched::store
