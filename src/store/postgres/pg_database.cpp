#include "store/postgres/pg_database.hpp"

#include "store/postgres/pg_events.hpp"

#include <algorithm>
#include <utility>

#include "store/postgres/pg_migrate.hpp"

namespace jobsched::store::postgres {

core::Result<std::shared_ptr<PgDatabase>> PgDatabase::Open(const PostgresOptions& options) {
  auto connection = PgConnection::Open(options.url);
  if (!connection) return connection.error();
  if (auto version = ApplyMigrations(**connection); !version) return version.error();
  return std::shared_ptr<PgDatabase>(new PgDatabase(options, std::move(connection).value()));
}

core::Result<int> PgDatabase::Migrate(const std::string& url) {
  auto connection = PgConnection::Open(url);
  if (!connection) return connection.error();
  return ApplyMigrations(**connection);
}

PgDatabase::PgDatabase(const PostgresOptions& options, std::unique_ptr<PgConnection> connection)
    : url_(options.url),
      description_(connection->Describe()),
      readers_(options.url, options.read_connections, options.acquire_timeout),
      writer_(std::make_unique<PgWriter>(options.url, std::move(connection),
                                         std::clamp<std::size_t>(options.max_batch, 1, 64))),
      // Connects on its first write: a process that runs no executor never
      // opens it. One write per transaction: each of its statements locks
      // its runs in id order, which only keeps deadlocks away if no
      // transaction holds the locks of two statements (PgFinishBatcher
      // already puts every pending finish into one statement).
      outcome_writer_(std::make_unique<PgWriter>(options.url, nullptr, 1)),
      // Connects on its first claim, as the outcome writer. A claim locks
      // its runs with SKIP LOCKED: it never waits for another writer's runs.
      claim_writer_(std::make_unique<PgWriter>(options.url, nullptr, 1)) {}

std::unique_ptr<PgListener> PgDatabase::Listen(std::function<void(const PgNotification&)> on_notification,
                                               std::function<void()> on_reconnect) const {
  return std::make_unique<PgListener>(
      url_, std::vector<std::string>{std::string(kJobsChannel), std::string(kRunsChannel), std::string(kEventsChannel)},
      std::move(on_notification), std::move(on_reconnect));
}

}  // namespace jobsched::store::postgres
