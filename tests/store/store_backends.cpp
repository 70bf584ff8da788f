#include "store_backends.hpp"

#include "store/postgres/pg_change_feed.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/postgres_alert_store.hpp"
#include "store/postgres/postgres_api_key_store.hpp"
#include "store/postgres/postgres_job_store.hpp"
#include "store/postgres/postgres_node_store.hpp"
#include "store/postgres/postgres_run_queue.hpp"
#include "store/postgres/postgres_session_store.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/pg_test_schema.hpp"
#include "testing/temp_dir.hpp"

namespace jobsched::store::testing {
namespace {

class Sqlite final : public Backend {
 public:
  core::Result<StoreInstance> OpenWithLimits(const StoreLimits& limits) override {
    auto store = sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db"), .limits = limits});
    if (!store) return store.error();
    std::shared_ptr<sqlite::SqliteJobStore> shared = std::move(store).value();
    return StoreInstance{shared, shared, shared, shared,
                         shared, shared, shared, std::shared_ptr<ChangeFeed>(shared, &shared->changes())};
  }

  core::Result<void> ExecuteForTest(const std::string& sql) override {
    auto connection = sqlite::SqliteConnection::Open(dir_.File("jobs.db"), sqlite::SqliteConnection::Mode::kReadWrite);
    if (!connection) return connection.error();
    return (*connection)->Execute(sql);
  }

 private:
  jobsched::testing::TempDir dir_;
};

class Postgres final : public Backend {
 public:
  explicit Postgres(std::unique_ptr<jobsched::testing::PgTestSchema> schema) : schema_(std::move(schema)) {}

  core::Result<StoreInstance> OpenWithLimits(const StoreLimits& limits) override {
    auto database = postgres::PgDatabase::Open({.url = schema_->url()});
    if (!database) return database.error();
    auto jobs = std::make_shared<postgres::PostgresJobStore>(*database, limits);
    return StoreInstance{jobs,
                         std::make_shared<postgres::PostgresRunQueue>(*database),
                         std::make_shared<postgres::PostgresApiKeyStore>(*database),
                         std::make_shared<postgres::PostgresSessionStore>(*database),
                         std::make_shared<postgres::PostgresNodeStore>(*database),
                         jobs,
                         std::make_shared<postgres::PostgresAlertStore>(*database),
                         std::make_shared<postgres::PgChangeFeed>(*database)};
  }

  core::Result<void> ExecuteForTest(const std::string& sql) override { return schema_->Execute(sql); }

 private:
  std::unique_ptr<jobsched::testing::PgTestSchema> schema_;
};

}  // namespace

core::Result<std::unique_ptr<Backend>> SqliteBackend::Create() { return std::unique_ptr<Backend>(new Sqlite()); }

core::Result<std::unique_ptr<Backend>> PostgresBackend::Create() {
  auto schema = jobsched::testing::PgTestSchema::Create();
  if (!schema) return schema.error();
  return std::unique_ptr<Backend>(new Postgres(std::move(schema).value()));
}

}  // namespace jobsched::store::testing
