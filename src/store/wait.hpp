#pragma once

#include <future>
#include <utility>

#include "core/result.hpp"

namespace jobsched::store {

// Calls an asynchronous store method and waits for its answer: `start` gets
// the callback to hand the method. For the blocking *AndWait forms, loops
// on threads of their own (retention) and tests; never on a store thread (it
// would wait for itself).
template <typename T, typename Start>
core::Result<T> Wait(Start start) {
  std::promise<core::Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](core::Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace jobsched::store
