#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// The channels the PostgreSQL store notifies, inside the transaction of the
// change (so a notification is sent only when the change commits):
//   kJobsChannel  a job's next_run was set (create, update); payload: next_run
//                 in ms since the epoch
//   kRunsChannel  runs became claimable (fired, triggered, re-queued, handed
//                 back); no payload
// NOTIFY is per database, so each channel's name in PostgreSQL carries a tag
// of the schema (Notify and PgListener add it): deployments sharing a
// database in separate schemas hear neither each other's wake-ups nor, above
// all, each other's events. Nodes of two versions across this change do not
// hear each other until all are upgraded (their naps still find the work).
inline constexpr std::string_view kJobsChannel = "jobsched_jobs";
inline constexpr std::string_view kRunsChannel = "jobsched_runs";

// Sends a notification on `channel` from inside the current transaction.
core::Result<void> Notify(PgConnection& db, std::string_view channel, std::string_view payload = {});

// A thread with a connection of its own that LISTENs on `channels` and calls
// `on_notification` for every NOTIFY on them (from any process, this one
// included). A lost connection is replaced (retrying with backoff, up to 5 s
// apart); notifications sent meanwhile are lost, so `on_reconnect` is called
// once listening again, to re-read whatever it matters to know. Both
// callbacks run on the listener's thread: keep them short.
class PgListener {
 public:
  PgListener(std::string url, std::vector<std::string> channels,
             std::function<void(const PgNotification&)> on_notification, std::function<void()> on_reconnect);
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;
  // Stops listening and joins the thread.
  ~PgListener();

  // Whether the listener is connected and listening now (for tests and readiness).
  bool IsListening() const { return listening_; }

 private:
  void Loop();
  // Connects and LISTENs on every channel under its name in PostgreSQL,
  // filling `scoped_names` (that name -> the store's); nullptr on failure.
  std::unique_ptr<PgConnection> Connect(std::map<std::string, std::string>& scoped_names);
  // Waits up to `timeout_ms` for input on `socket` (or for Stop). False when stopping.
  bool Wait(int socket, int timeout_ms);

  const std::string url_;
  const std::vector<std::string> channels_;
  const std::function<void(const PgNotification&)> on_notification_;
  const std::function<void()> on_reconnect_;
  int wake_pipe_[2] = {-1, -1};  // the destructor writes to [1] to end a wait
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

}  // namespace jobsched::store::postgres
