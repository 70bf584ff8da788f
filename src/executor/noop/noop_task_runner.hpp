#pragma once

#include "executor/task_runner.hpp"

namespace jobsched::executor::noop {

// Runs core::NoopTask: succeeds at once, with empty output, on the caller's
// thread (so `done` runs before Start() returns).
class NoopTaskRunner final : public TaskRunner {
 public:
  void Start(const core::Task& task, const RunContext& context, DoneCallback done) override;
};

}  // namespace jobsched::executor::noop
