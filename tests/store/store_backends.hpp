#pragma once

// The stores the contract suites (job_store_contract_test.cpp,
// run_queue_contract_test.cpp, job_namespace_contract_test.cpp,
// api_key_store_contract_test.cpp, session_store_contract_test.cpp,
// node_store_contract_test.cpp) run against: SQLite in a temporary directory,
// and PostgreSQL in a fresh schema on the test run's throwaway server.
#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

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
#include "store/wait.hpp"

namespace jobsched::store::testing {

// One store instance: what a process of jobsched opens.
struct StoreInstance {
  std::shared_ptr<JobStore> jobs;
  std::shared_ptr<RunQueue> runs;
  std::shared_ptr<ApiKeyStore> keys;
  std::shared_ptr<SessionStore> sessions;
  std::shared_ptr<NodeStore> nodes;
  std::shared_ptr<AuditLog> audit;
  std::shared_ptr<AlertStore> alerts;
  std::shared_ptr<ChangeFeed> changes;  // last: ends before the stores
};

// One empty database, on which a test opens store instances. Opening a
// second instance is what a second process (a restart, another node) does.
class Backend {
 public:
  virtual ~Backend() = default;
  core::Result<StoreInstance> Open() { return OpenWithLimits(StoreLimits{}); }
  // An instance that enforces the operator's quotas `limits`.
  virtual core::Result<StoreInstance> OpenWithLimits(const StoreLimits& limits) = 0;
  // Runs `sql` (one or more statements) on the database, around the store:
  // for tests that set up what an older build left behind.
  virtual core::Result<void> ExecuteForTest(const std::string& sql) = 0;
};

struct SqliteBackend {
  static core::Result<std::unique_ptr<Backend>> Create();
};

struct PostgresBackend {
  static core::Result<std::unique_ptr<Backend>> Create();
};

// Waits for an asynchronous store method's answer (store/wait.hpp).
using store::Wait;

// The fixture of every contract suite: a fresh database of `BackendType` for
// each test, with one store instance open on it.
template <typename BackendType>
class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto backend = BackendType::Create();
    ASSERT_TRUE(backend.ok()) << backend.error().message;
    backend_ = std::move(backend).value();
    instance_ = OpenInstance();
    ASSERT_TRUE(instance_.jobs);
  }

  // Another store instance on the same database: a restarted or second process.
  StoreInstance OpenInstance() {
    auto instance = backend_->Open();
    EXPECT_TRUE(instance.ok()) << instance.error().message;
    return instance.ok() ? std::move(instance).value() : StoreInstance{};
  }

  std::unique_ptr<Backend> backend_;
  StoreInstance instance_;  // after backend_: closed before its database goes
};

// ctest names each typed test after its backend: X<...SqliteBackend>, X<...PostgresBackend>.
using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace jobsched::store::testing
