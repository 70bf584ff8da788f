#include "app/database.hpp"

#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "app/system_clock.hpp"
#include "store/postgres/pg_change_feed.hpp"
#include "store/postgres/pg_clock.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/postgres_alert_store.hpp"
#include "store/postgres/postgres_api_key_store.hpp"
#include "store/postgres/postgres_job_store.hpp"
#include "store/postgres/postgres_node_store.hpp"
#include "store/postgres/postgres_run_queue.hpp"
#include "store/postgres/postgres_session_store.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::app {
namespace {

// The clock that measures PostgreSQL's, keeping the database it reads alive.
class DatabaseClock final : public core::Clock {
 public:
  explicit DatabaseClock(std::shared_ptr<store::postgres::PgDatabase> database)
      : database_(std::move(database)), clock_(*database_) {}
  core::TimePoint Now() const override { return clock_.Now(); }

 private:
  std::shared_ptr<store::postgres::PgDatabase> database_;
  store::postgres::PgClock clock_;  // after database_: stops before it goes
};

core::Result<std::unique_ptr<Database>> OpenPostgres(const DatabaseUrl& url, DatabaseUse use,
                                                     const store::StoreLimits& limits) {
  store::postgres::PostgresOptions options{.url = url.location};
  if (use == DatabaseUse::kTool) options.read_connections = 1;
  auto opened = store::postgres::PgDatabase::Open(options);
  if (!opened) return opened.error();
  std::shared_ptr<store::postgres::PgDatabase> postgres = std::move(opened).value();
  auto database = std::make_unique<Database>();
  auto jobs = std::make_shared<store::postgres::PostgresJobStore>(postgres, limits);
  database->jobs = jobs;
  database->audit = jobs;
  database->runs = std::make_shared<store::postgres::PostgresRunQueue>(postgres);
  database->api_keys = std::make_shared<store::postgres::PostgresApiKeyStore>(postgres);
  database->sessions = std::make_shared<store::postgres::PostgresSessionStore>(postgres);
  database->nodes = std::make_shared<store::postgres::PostgresNodeStore>(postgres);
  database->alerts = std::make_shared<store::postgres::PostgresAlertStore>(postgres);
  database->changes = std::make_shared<store::postgres::PgChangeFeed>(postgres);
  database->single_node = false;
  database->description = "postgresql " + postgres->description();
  database->clock = use == DatabaseUse::kServe
                        ? std::shared_ptr<const core::Clock>(std::make_shared<DatabaseClock>(postgres))
                        : std::make_shared<SystemClock>();
  return database;
}

// New files are 0600 (SqliteConnection); one made by an older version may not be.
void WarnIfOthersMayRead(const std::string& path) {
  std::error_code error;
  const auto perms = std::filesystem::status(path, error).permissions();
  if (!error && (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) !=
                    std::filesystem::perms::none) {
    spdlog::warn("the database {} may be read by other users (mode {:o}) and holds webhook secrets: chmod 600 it", path,
                 static_cast<unsigned>(perms));
  }
}

core::Result<std::unique_ptr<Database>> OpenSqlite(const DatabaseUrl& url, DatabaseUse use,
                                                   const store::StoreLimits& limits) {
  const std::filesystem::path folder = std::filesystem::path(url.location).parent_path();
  if (!folder.empty()) {
    std::error_code error;
    // Only its owner may look inside: the database holds webhook secrets.
    if (std::filesystem::create_directories(folder, error)) {
      std::filesystem::permissions(folder, std::filesystem::perms::owner_all, error);
    }
    if (error) return core::Error::Unavailable("cannot create " + folder.string() + ": " + error.message());
  }
  auto database = std::make_unique<Database>();
  if (use == DatabaseUse::kServe) {
    // Before opening: a second process must not even apply migrations.
    auto lock = DatabaseLock::Acquire(url.location);
    if (!lock) return lock.error();
    database->sqlite_lock = std::move(lock).value();
  }
  // The store fires by this clock (SqliteOptions::clock), the one the scheduler reads.
  database->clock = std::make_shared<SystemClock>();
  auto opened = store::sqlite::SqliteJobStore::Open(
      {.path = url.location,
       .max_batch = use == DatabaseUse::kServe ? std::size_t{1024} : std::size_t{64},
       .limits = limits,
       .clock = database->clock.get()});
  if (!opened) return opened.error();
  if (use == DatabaseUse::kServe) WarnIfOthersMayRead(url.location);
  std::shared_ptr<store::sqlite::SqliteJobStore> sqlite = std::move(opened).value();
  database->jobs = sqlite;
  database->runs = sqlite;
  database->api_keys = sqlite;
  database->audit = sqlite;
  database->sessions = sqlite;
  database->nodes = sqlite;
  database->alerts = sqlite;
  // The feed lives in the store; sharing ownership keeps the store alive for it.
  database->changes = std::shared_ptr<store::ChangeFeed>(sqlite, &sqlite->changes());
  database->description = "sqlite " + url.location;
  return database;
}

}  // namespace

core::Result<std::unique_ptr<Database>> OpenDatabase(const DatabaseUrl& url, DatabaseUse use,
                                                     const store::StoreLimits& limits) {
  return url.kind == DatabaseUrl::Kind::kPostgres ? OpenPostgres(url, use, limits) : OpenSqlite(url, use, limits);
}

void ConfigureDatabaseLibraries() { store::sqlite::ConfigureSqliteLibrary(); }

core::Result<int> MigrateDatabase(const DatabaseUrl& url) {
  return url.kind == DatabaseUrl::Kind::kPostgres ? store::postgres::PgDatabase::Migrate(url.location)
                                                  : store::sqlite::SqliteJobStore::Migrate(url.location);
}

}  // namespace jobsched::app
