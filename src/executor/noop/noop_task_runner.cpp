#include "executor/noop/noop_task_runner.hpp"

#include <string>
#include <utility>
#include <variant>

namespace jobsched::executor::noop {

void NoopTaskRunner::Start(const core::Task& task, const RunContext& /*context*/, DoneCallback done) {
  if (!std::holds_alternative<core::NoopTask>(task)) {
    done(TaskResult::Failed("the noop runner cannot run a " + std::string(core::TaskTypeName(task)) + " task"));
    return;
  }
  done(TaskResult::Succeeded({}));
}

}  // namespace jobsched::executor::noop
