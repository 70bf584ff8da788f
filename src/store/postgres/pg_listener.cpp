#include "store/postgres/pg_listener.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace jobsched::store::postgres {

namespace {

// A channel's name in PostgreSQL: the store's name for it and a tag of the
// schema, since NOTIFY is database-wide and deployments may share a database
// in separate schemas. 12 hex digits keep every name within PostgreSQL's 63
// bytes whatever the schema's name.
constexpr std::string_view kScopedChannelSql = "$1 || '_' || substr(md5(current_schema()), 1, 12)";

}  // namespace

core::Result<void> Notify(PgConnection& db, std::string_view channel, std::string_view payload) {
  auto sent =
      db.Query("SELECT pg_notify(" + std::string(kScopedChannelSql) + ", $2)", PgParams().Add(channel).Add(payload));
  if (!sent) return sent.error();
  return core::Ok();
}

PgListener::PgListener(std::string url, std::vector<std::string> channels,
                       std::function<void(const PgNotification&)> on_notification, std::function<void()> on_reconnect)
    : url_(std::move(url)),
      channels_(std::move(channels)),
      on_notification_(std::move(on_notification)),
      on_reconnect_(std::move(on_reconnect)) {
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
  thread_ = std::thread([this] { Loop(); });
}

PgListener::~PgListener() {
  stopping_ = true;
  if (wake_pipe_[1] >= 0) {
    const char byte = 0;
    (void)!write(wake_pipe_[1], &byte, 1);
  }
  thread_.join();
  for (const int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

std::unique_ptr<PgConnection> PgListener::Connect(std::map<std::string, std::string>& scoped_names) {
  auto connection = PgConnection::Open(url_);
  if (!connection) return nullptr;
  scoped_names.clear();
  for (const std::string& channel : channels_) {
    auto scoped = (*connection)->Query("SELECT " + std::string(kScopedChannelSql), PgParams().Add(channel));
    if (!scoped || scoped->rows() != 1) return nullptr;
    const std::string name(scoped->Text(0, 0));
    if (!(*connection)->Execute("LISTEN " + (*connection)->QuoteIdentifier(name))) return nullptr;
    scoped_names.emplace(name, channel);
  }
  return std::move(connection).value();
}

bool PgListener::Wait(int socket, int timeout_ms) {
  pollfd fds[2] = {{wake_pipe_[0], POLLIN, 0}, {socket, POLLIN, 0}};
  const nfds_t count = socket >= 0 ? 2 : 1;
  (void)poll(fds, count, timeout_ms);
  return !stopping_;
}

void PgListener::Loop() {
  std::unique_ptr<PgConnection> connection;
  std::map<std::string, std::string> scoped_names;  // the name in PostgreSQL -> the store's
  bool connected_before = false;
  int backoff_ms = 100;
  while (!stopping_) {
    if (!connection) {
      connection = Connect(scoped_names);
      if (!connection) {
        if (!Wait(-1, backoff_ms)) return;
        backoff_ms = std::min(backoff_ms * 2, 5000);
        continue;
      }
      backoff_ms = 100;
      listening_ = true;
      // Whatever was notified while we were not listening is lost.
      if (connected_before) on_reconnect_();
      connected_before = true;
    }
    // The timeout only bounds how long a stop could go unnoticed should the
    // wake-up byte be lost; notifications end the wait at once.
    if (!Wait(connection->Socket(), 1000)) return;
    auto notifications = connection->ReadNotifications();
    if (!notifications) {
      listening_ = false;
      connection.reset();
      continue;
    }
    for (PgNotification& notification : *notifications) {
      const auto known = scoped_names.find(notification.channel);
      if (known == scoped_names.end()) continue;
      notification.channel = known->second;
      on_notification_(notification);
    }
  }
}

}  // namespace jobsched::store::postgres
