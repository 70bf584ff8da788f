#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "executor/task_runner.hpp"

namespace jobsched::executor::testing {

// Collects the results that runners hand to their `done` callbacks, from any
// thread, and lets a test wait for them with a deadline instead of sleeping.
// Callbacks share the state, so a late one after a failed wait is harmless.
class ResultCollector {
 public:
  DoneCallback Callback() {
    return [state = state_](TaskResult result) {
      {
        std::lock_guard lock(state->mutex);
        state->results.push_back(std::move(result));
      }
      state->changed.notify_all();
    };
  }

  // True once at least `count` results are in; false if not within `within`.
  bool WaitFor(std::size_t count, std::chrono::milliseconds within = std::chrono::seconds(30)) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, within, [&] { return state_->results.size() >= count; });
  }

  std::vector<TaskResult> Results() const {
    std::lock_guard lock(state_->mutex);
    return state_->results;
  }

  std::size_t Count() const {
    std::lock_guard lock(state_->mutex);
    return state_->results.size();
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<TaskResult> results;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Starts `task` and waits for its one result (a kFailed "no result" after 30 s).
inline TaskResult RunAndWait(TaskRunner& runner, const core::Task& task, const RunContext& context) {
  ResultCollector collector;
  runner.Start(task, context, collector.Callback());
  if (!collector.WaitFor(1)) return TaskResult::Failed("test: no result within 30 s");
  return collector.Results().front();
}

}  // namespace jobsched::executor::testing
