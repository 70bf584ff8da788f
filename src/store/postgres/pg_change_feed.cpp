#include "store/postgres/pg_change_feed.hpp"

#include <charconv>
#include <chrono>
#include <thread>
#include <utility>

#include "store/postgres/pg_events.hpp"

namespace jobsched::store::postgres {
namespace {

constexpr std::chrono::seconds kListenWait{5};

}  // namespace

PgChangeFeed::PgChangeFeed(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

std::unique_ptr<ChangeFeed::Subscription> PgChangeFeed::Subscribe(Handler handler) {
  auto subscription = fan_out_.Subscribe(std::move(handler));
  core::MutexLock lock(mutex_);
  if (!listener_) {
    listener_ = database_->Listen(
        [this](const PgNotification& notification) {
          for (const StoreChange& change : DecodeNotification(notification)) fan_out_.Publish(change);
        },
        [this] { fan_out_.Publish(StoreChange::Resync()); });
    // "From now on" holds once LISTEN is in effect: wait for it, a bounded
    // while (the database may be down; the naps of the scheduler and the
    // pool are the safety net then).
    const auto give_up = std::chrono::steady_clock::now() + kListenWait;
    while (!listener_->IsListening() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
  }
  return subscription;
}

std::vector<StoreChange> DecodeNotification(const PgNotification& notification) {
  if (notification.channel == kRunsChannel) return {StoreChange::RunsQueued()};
  if (notification.channel == kEventsChannel) return DecodeEvents(notification.payload);
  if (notification.channel != kJobsChannel) return {};
  std::int64_t next_run_ms = 0;
  const std::string& payload = notification.payload;
  const auto [end, error] = std::from_chars(payload.data(), payload.data() + payload.size(), next_run_ms);
  if (error != std::errc() || end != payload.data() + payload.size()) return {};
  return {StoreChange::Scheduled(core::FromUnixMs(next_run_ms))};
}

}  // namespace jobsched::store::postgres
