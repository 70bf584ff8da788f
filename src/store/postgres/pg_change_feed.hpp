#pragma once

#include <memory>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "store/change_feed.hpp"
#include "store/postgres/pg_database.hpp"

namespace jobsched::store::postgres {

// The change feed of a PostgreSQL database: what every node's stores NOTIFY
// (kJobsChannel, kRunsChannel), decoded into StoreChanges. The listener (a
// connection and a thread) starts with the first subscription, so a node
// that needs no wake-ups (API only) holds no extra connection; the first
// Subscribe waits (at most 5 s) until it listens. After a lost
// connection is replaced, subscribers get kResync: notifications sent
// meanwhile are lost.
class PgChangeFeed final : public ChangeFeed {
 public:
  explicit PgChangeFeed(std::shared_ptr<PgDatabase> database);
  PgChangeFeed(const PgChangeFeed&) = delete;
  PgChangeFeed& operator=(const PgChangeFeed&) = delete;
  // Stops the listener (every subscription must have ended).
  ~PgChangeFeed() override = default;

  std::unique_ptr<Subscription> Subscribe(Handler handler) override EXCLUDES(mutex_);

 private:
  std::shared_ptr<PgDatabase> database_;
  ChangeFanOut fan_out_;
  core::Mutex mutex_;
  std::unique_ptr<PgListener> listener_ GUARDED_BY(mutex_);  // last: stops before fan_out_ goes
};

// What a notification on one of the store's channels means: nothing for one
// that means nothing (another channel, a payload that cannot be read), many
// changes for a notification of events (pg_events.hpp).
std::vector<StoreChange> DecodeNotification(const PgNotification& notification);

}  // namespace jobsched::store::postgres
