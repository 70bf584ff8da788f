#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "store/alert_store.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/postgres/pg_reader_pool.hpp"
#include "store/postgres/pg_writer.hpp"

namespace jobsched::store::postgres {

struct PostgresOptions {
  // libpq URL: postgresql://user[:password]@host[:port]/database[?param=value...]
  std::string url;
  // Writes per group-commit transaction (see PgWriter): more amortises one
  // WAL flush over more writes; at most 64.
  std::size_t max_batch = 64;
  // Read connections this process keeps at most. Each costs a PostgreSQL
  // backend: nodes x (read_connections + 3 writers + 1 listener) must fit
  // max_connections.
  std::size_t read_connections = 8;
  // How long a read waits for a free connection before kUnavailable.
  std::chrono::milliseconds acquire_timeout{5000};
};

// One PostgreSQL database as this process uses it: three writer threads, each
// with its own connection, and a pool of read connections. PostgresJobStore
// and PostgresRunQueue share one. The main writer takes what orders jobs and
// runs (job edits, firing, re-queueing), with group commit; the claim writer
// takes the executor's claims, so that a claim and a firing commit side by
// side instead of one after the other (a claim takes only runs already
// committed as queued, and skips locked ones, so the order between the two
// does not matter); the outcome writer takes what happens to runs this node
// holds (finishing, retrying, lease renewals, releases). The last two write
// one statement per transaction, so that a stream of finished runs never
// delays the next firing or claim.
class PgDatabase {
 public:
  // Connects, applies pending migrations (one node at a time: they hold an
  // advisory lock) and starts the writer. kUnavailable when the server
  // cannot be reached.
  static core::Result<std::shared_ptr<PgDatabase>> Open(const PostgresOptions& options);

  // Applies pending migrations to the database at `url` and returns the
  // schema version it is at afterwards.
  static core::Result<int> Migrate(const std::string& url);

  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  // Listens, on a connection of its own, for the notifications the stores
  // send on kJobsChannel and kRunsChannel (see PgListener).
  std::unique_ptr<PgListener> Listen(std::function<void(const PgNotification&)> on_notification,
                                     std::function<void()> on_reconnect) const;

  PgWriter& writer() { return *writer_; }
  PgWriter& outcome_writer() { return *outcome_writer_; }
  PgWriter& claim_writer() { return *claim_writer_; }
  PgReaderPool& readers() { return readers_; }
  // Told of the alerts each commit of either writer raised.
  RaisedAlertRelay& raised_alerts() { return raised_alerts_; }
  // "user@host:port/database", for logs.
  const std::string& description() const { return description_; }

 private:
  PgDatabase(const PostgresOptions& options, std::unique_ptr<PgConnection> connection);

  const std::string url_;
  const std::string description_;
  PgReaderPool readers_;
  // Before the writers: their callbacks report to it until they are joined.
  RaisedAlertRelay raised_alerts_;
  // Last members: destroyed first, so queued writes finish while the rest
  // lives. Claims and outcomes first: a finish may answer a write of the main writer's.
  std::unique_ptr<PgWriter> writer_;
  std::unique_ptr<PgWriter> outcome_writer_;
  std::unique_ptr<PgWriter> claim_writer_;
};

}  // namespace jobsched::store::postgres
