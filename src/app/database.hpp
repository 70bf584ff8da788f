#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "app/database_lock.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/alert_store.hpp"
#include "store/api_key_store.hpp"
#include "store/audit_log.hpp"
#include "store/change_feed.hpp"
#include "store/job_store.hpp"
#include "store/node_store.hpp"
#include "store/run_queue.hpp"
#include "store/session_store.hpp"
#include "store/store_limits.hpp"

namespace jobsched::app {

// What opening a --db URL gives, whichever database it names: the stores,
// the clock every part must judge time by, and the feed of committed
// changes. The only place that branches on SQLite or PostgreSQL.
struct Database {
  // SQLite, for `serve`: this process's claim to the file (see
  // DatabaseLock), released only after the stores below have closed.
  std::optional<DatabaseLock> sqlite_lock;
  // The system clock, or in cluster mode PostgreSQL's as seen from here
  // (store::postgres::PgClock), so all nodes agree on time. Before the
  // stores: SQLite's fires by it until it closes.
  std::shared_ptr<const core::Clock> clock;
  std::shared_ptr<store::JobStore> jobs;
  std::shared_ptr<store::RunQueue> runs;
  std::shared_ptr<store::ApiKeyStore> api_keys;
  // The audit log's reads and retention (its entries are written by the
  // jobs' and keys' writes themselves).
  std::shared_ptr<store::AuditLog> audit;
  // The console's sessions, and the cluster's nodes (GET /nodes).
  std::shared_ptr<store::SessionStore> sessions;
  std::shared_ptr<store::NodeStore> nodes;
  // Alerts raised by the stores' outcome paths: their delivery and GET /alerts.
  std::shared_ptr<store::AlertStore> alerts;
  // In-process for SQLite; LISTEN/NOTIFY for PostgreSQL, decoded in store/postgres.
  std::shared_ptr<store::ChangeFeed> changes;
  // False when other processes (cluster nodes) share the database.
  bool single_node = true;
  // "sqlite ./data/jobsched.db", "postgresql user@host:5432/db": for logs,
  // without a password.
  std::string description;
};

enum class DatabaseUse {
  kServe,  // the service: SQLite takes the file's lock; full-size pools
  kTool,   // `jobsched keys`: no lock, one read connection, small batches
};

// Opens the database `url` names (creating a SQLite file and its folder if
// missing) and applies pending migrations. Fails with kUnavailable when it
// cannot be reached or, for kServe on SQLite, when another process serves
// the same file.
// `limits` are the quotas the store enforces (StoreLimits: none by default).
core::Result<std::unique_ptr<Database>> OpenDatabase(const DatabaseUrl& url, DatabaseUse use,
                                                     const store::StoreLimits& limits = {});

// Process-wide settings of the database libraries, which must be made before
// any thread uses them: call first thing in main().
void ConfigureDatabaseLibraries();

// Applies pending migrations to the database `url` names and returns the
// schema version it is at afterwards.
core::Result<int> MigrateDatabase(const DatabaseUrl& url);

}  // namespace jobsched::app
