#pragma once

// The stores the contract suites (job_store_contract_test.cpp,
// run_queue_contract_test.cpp, job_namespace_contract_test.cpp,
// api_key_store_contract_test.cpp) run against: SQLite in a temporary directory,
// and PostgreSQL in a fresh schema on the test run's throwaway server.
#include <future>
#include <memory>

#include <gtest/gtest.h>

#include "core/result.hpp"
#include "store/api_key_store.hpp"
#include "store/job_store.hpp"
#include "store/run_queue.hpp"

namespace jobsched::store::testing {

// One store instance: what a process of jobsched opens.
struct StoreInstance {
  std::shared_ptr<JobStore> jobs;
  std::shared_ptr<RunQueue> runs;
  std::shared_ptr<ApiKeyStore> keys;
};

// One empty database, on which a test opens store instances. Opening a
// second instance is what a second process (a restart, another node) does.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual core::Result<StoreInstance> Open() = 0;
};

struct SqliteBackend {
  static core::Result<std::unique_ptr<Backend>> Create();
};

struct PostgresBackend {
  static core::Result<std::unique_ptr<Backend>> Create();
};

// Calls an asynchronous store method and waits for its answer.
template <typename T, typename Start>
core::Result<T> Wait(Start start) {
  std::promise<core::Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](core::Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

// ctest names each typed test after its backend: X<...SqliteBackend>, X<...PostgresBackend>.
using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace jobsched::store::testing
