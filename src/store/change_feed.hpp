#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// A change the store committed that other parts of the service act on, as
// they hear of it after the commit. In cluster mode every node hears every
// node's changes (LISTEN/NOTIFY), its own included.
struct StoreChange {
  enum class Kind {
    kJobScheduled,  // a job's next_run was set (created, updated): next_run
    kRunsQueued,    // runs became claimable (fired, triggered, re-queued, handed back)
    kResync,        // changes may have been missed (a lost connection): look again
    kJob,           // a job was created, updated or deleted: action, job_id, namespace_name
    kRun,           // a run was queued, started or finished: action, run_id, job_id, state
  };
  // What happened to the job or run (kJob, kRun).
  enum class Action { kCreated, kUpdated, kDeleted, kQueued, kStarted, kFinished };

  Kind kind = Kind::kResync;
  core::TimePoint next_run{};  // kJobScheduled only: when that job is due next
  Action action = Action::kUpdated;
  std::int64_t job_id = 0;
  std::int64_t run_id = 0;  // kRun
  std::string state;        // kRun: the run's state after the change
  // The job's namespace where the store knew it without another read; empty
  // otherwise (the job's id tells: namespaces never change).
  std::string namespace_name;

  static StoreChange Scheduled(core::TimePoint next_run);
  static StoreChange RunsQueued();
  static StoreChange Resync();
  static StoreChange Job(Action action, std::int64_t job_id, std::string namespace_name);
  static StoreChange Run(Action action, std::int64_t run_id, std::int64_t job_id, std::string state,
                         std::string namespace_name = {});
};

// "job.created", "run.finished": the event's name as the event stream sends it.
std::string_view EventName(const StoreChange& change);

// Delivers StoreChanges to whoever subscribed. Handlers run on the thread
// that learnt of the change (a store's writer thread, or the listener of
// PostgreSQL notifications): keep them short, and never wait there for the
// store.
class ChangeFeed {
 public:
  using Handler = std::function<void(const StoreChange&)>;

  // Ends its subscription when destroyed; once the destructor returns, the
  // handler is not running and will not run again. Must not outlive its feed.
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };

  virtual ~ChangeFeed() = default;

  // Calls `handler` for every change committed from now on.
  [[nodiscard]] virtual std::unique_ptr<Subscription> Subscribe(Handler handler) = 0;
};

// The fan-out every feed uses: a list of handlers, each called for every
// change published. Thread-safe; Publish holds a mutex while it calls the
// handlers, which is what lets a Subscription's destructor promise the
// handler is done.
class ChangeFanOut final : public ChangeFeed {
 public:
  std::unique_ptr<Subscription> Subscribe(Handler handler) override EXCLUDES(mutex_);
  // Calls every handler with `change`, in subscription order.
  void Publish(const StoreChange& change) EXCLUDES(mutex_);
  // Whether anyone listens (a feed may skip work when nobody does).
  bool HasSubscribers() const EXCLUDES(mutex_);

 private:
  class Entry;
  void Remove(std::uint64_t id) EXCLUDES(mutex_);

  mutable core::Mutex mutex_;
  std::uint64_t next_id_ GUARDED_BY(mutex_) = 0;
  std::vector<std::pair<std::uint64_t, Handler>> subscribers_ GUARDED_BY(mutex_);
};

}  // namespace jobsched::store
