#pragma once

#include <memory>
#include <vector>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/task_kind.hpp"
#include "executor/curl_loop.hpp"
#include "executor/worker_pool.hpp"

namespace jobsched::app {

// The task runners of an executor node: one per task kind the settings
// enable, and the libcurl loops they run on. Built kind by kind from
// core::kTaskKinds (task_runners.cpp has one MakeRunner per kind: a kind
// without one does not compile), and checked once built: an enabled kind
// without a runner fails start-up rather than failing every run.
class TaskRunnerSet {
 public:
  // Fails when a loop or runner cannot be created or a setting is invalid.
  // `clock` must outlive the set.
  static core::Result<std::unique_ptr<TaskRunnerSet>> Build(const Config& config, const core::Clock& clock);

  TaskRunnerSet(const TaskRunnerSet&) = delete;
  TaskRunnerSet& operator=(const TaskRunnerSet&) = delete;
  // Cancels the tasks still running (their loops end them) before the loops go.
  ~TaskRunnerSet();

  // What the worker pool starts each run on.
  const executor::TaskRunners& table() const { return table_; }
  // The kinds this node runs.
  const core::EnabledTaskKinds& enabled() const { return enabled_; }

  // Resources runners share: one loop for webhooks, one of its own for email
  // (libcurl blocks its thread while an SMTP server is slow to answer some
  // commands, which must not stall webhooks). Created when a runner needs one.
  struct Loops {
    std::unique_ptr<executor::CurlLoop> http;
    std::unique_ptr<executor::CurlLoop> email;
  };

 private:
  TaskRunnerSet() = default;

  core::EnabledTaskKinds enabled_;
  Loops loops_;  // before the runners: destroyed after them
  std::vector<std::unique_ptr<executor::TaskRunner>> runners_;
  executor::TaskRunners table_;
};

}  // namespace jobsched::app
