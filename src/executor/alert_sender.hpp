#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "core/task.hpp"
#include "executor/worker_pool.hpp"
#include "store/alert_store.hpp"

namespace jobsched::executor {

struct AlertSenderOptions {
  // Who this process is in the alerts' leases; the worker pool's owner.
  std::string owner;
  // Alerts claimed and sent at once.
  std::size_t batch = 32;
  // A claimed alert's lease: past it (its node died), another node may send
  // it again. Longer than `timeout`, so a live sender always finishes first.
  std::chrono::milliseconds lease{60'000};
  // One delivery's time limit (the runner's timeout).
  std::chrono::milliseconds timeout{30'000};
  // Longest wait without being notified (alerts raised on other nodes).
  std::chrono::milliseconds idle_nap{1'000};
  // Deliveries begun before an alert is failed for good, and the back-off
  // between them: first_backoff, doubling, at most max_backoff.
  int max_attempts = 10;
  std::chrono::milliseconds first_backoff{5'000};
  std::chrono::milliseconds max_backoff{30LL * 60 * 1000};
  // Where the console is, for the link in each message ("https://host");
  // empty: messages have no link.
  std::string console_url;
  // Told of each delivery: its channel's type ("email", "webhook") when
  // sent; whether it failed for good otherwise. For metrics; may be empty.
  std::function<void(std::string_view channel)> on_sent;
  std::function<void(std::string_view channel, bool final)> on_failed;
};

// The task that delivers `alert`: its channel's task (core::ChannelTask)
// with the message of codec/alert_message, and for a webhook the alert's id
// in a Jobsched-Alert-Id header (receivers de-duplicate by it).
core::Task AlertDeliveryTask(const store::Alert& alert, const std::string& console_url);

// Delivers alerts raised by the stores (docs/decisions/0011-alerts.md): claims
// due ones with a lease, runs each channel's task through the runner of its
// kind (email, http), and records it as sent, to retry after a back-off, or
// failed after max_attempts. An alert is sent at least once: a node that dies
// mid-send leaves a lease that expires, and another node sends it again.
// Never touches the run pipeline: its own thread, its own claims.
class AlertSender {
 public:
  // `store`, `clock` and the runners must outlive the sender.
  AlertSender(store::AlertStore& store, const core::Clock& clock, TaskRunners runners, AlertSenderOptions options);
  AlertSender(const AlertSender&) = delete;
  AlertSender& operator=(const AlertSender&) = delete;
  ~AlertSender();

  void Start() EXCLUDES(mutex_);
  // Alerts were raised here: look now rather than at the nap's end.
  void Notify() EXCLUDES(mutex_);
  // Cancels deliveries in flight (they are tried again: pending, due now)
  // and returns once every outcome is written. Idempotent.
  void Stop() EXCLUDES(mutex_);

 private:
  void Loop() EXCLUDES(mutex_);
  // Sends one claimed alert; its outcome is recorded when the runner ends.
  void Send(const store::Alert& alert) EXCLUDES(mutex_);
  void Record(const store::Alert& alert, const TaskResult& result) EXCLUDES(mutex_);
  // Sleeps until alerts may be due (the store says when, at most idle_nap
  // ahead) or Notify(); true when it is time to claim, false when the loop
  // should look again (or stop).
  bool WaitForWork() EXCLUDES(mutex_);

  store::AlertStore& store_;
  const core::Clock& clock_;
  const TaskRunners runners_;
  const AlertSenderOptions options_;

  core::Mutex mutex_;
  std::condition_variable changed_;
  bool started_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool notified_ GUARDED_BY(mutex_) = true;
  std::size_t in_flight_ GUARDED_BY(mutex_) = 0;  // deliveries and their records not yet done
  std::stop_source stop_;
  std::thread thread_;
};

}  // namespace jobsched::executor
