#pragma once

// Internal to the HTTP server (jobsched_http; includes Asio): handing a
// handler's answer, from any thread, back to its connection's event loop.
#include <atomic>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/http_message.hpp"
#include "api/http_problem.hpp"
#include "core/annotated_mutex.hpp"

namespace jobsched::api::server {

namespace asio = boost::asio;

// Runs work on one worker's io_context for as long as it exists. Responders may outlive the
// server (a handler can keep one after Stop()), so they post through this gate, which Stop()
// closes before destroying the io_context.
class ExecutorGate {
 public:
  explicit ExecutorGate(asio::io_context& context) : context_(&context) {}

  // Runs `work` inline when already on the loop's thread (the common case of a handler that
  // answers synchronously), else posts it. Dropped once the gate is closed.
  template <typename Work>
  void Dispatch(Work&& work) EXCLUDES(mutex_) {
    core::MutexLock lock(mutex_);
    if (context_ == nullptr) return;
    if (context_->get_executor().running_in_this_thread()) {
      lock.Unlock();
      work();
    } else {
      asio::post(*context_, std::forward<Work>(work));
    }
  }

  void Close() EXCLUDES(mutex_) {
    core::MutexLock lock(mutex_);
    context_ = nullptr;
  }

 private:
  core::Mutex mutex_;
  asio::io_context* context_ GUARDED_BY(mutex_);  // null once closed
};

// Where a response waits for its connection. Touched only on the connection's thread.
struct ResponseSlot {
  std::optional<HttpResponse> response;
  asio::steady_timer* wakeup = nullptr;  // null once the connection stopped waiting
};

// Shared by all copies of one Responder (std::function needs copyable targets).
class ResponderState {
 public:
  ResponderState(std::shared_ptr<ExecutorGate> gate, std::shared_ptr<ResponseSlot> slot)
      : gate_(std::move(gate)), slot_(std::move(slot)) {}
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;

  // A handler that loses its responder is a bug, but the client still deserves an answer
  // rather than a connection that hangs until it gives up.
  ~ResponderState() {
    // Checked first: building the problem for every request that did answer
    // showed up in profiles of the fast path.
    if (answered_.load()) return;
    try {
      Answer(ProblemResponse(500, "the request handler did not answer"));
    } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory while failing; nothing to do
    }
  }

  // The first answer wins; later ones are dropped.
  void Answer(HttpResponse response) {
    if (answered_.exchange(true)) return;
    gate_->Dispatch([slot = slot_, response = std::move(response)]() mutable {
      slot->response = std::move(response);
      if (slot->wakeup != nullptr) slot->wakeup->cancel();
    });
  }

 private:
  std::shared_ptr<ExecutorGate> gate_;
  std::shared_ptr<ResponseSlot> slot_;
  std::atomic<bool> answered_{false};
};

}  // namespace jobsched::api::server
