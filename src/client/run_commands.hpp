#pragma once

// `jobsched run list|get|cancel|logs`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "client/client_context.hpp"

namespace jobsched::client {

struct RunListOptions {
  std::optional<std::string> job;    // only this job's runs (an id or a name)
  std::optional<std::string> state;  // only runs in this state
  bool all = false;
  std::int64_t limit = 100;
};

int ListRuns(const ClientContext& context, const RunListOptions& options);
int GetRun(const ClientContext& context, const std::string& id);
int ListAttempts(const ClientContext& context, const std::string& id);
int CancelRun(const ClientContext& context, const std::string& id);
// The run's output (and its error). With `follow`, keeps printing what comes
// until the run ends (its state changes on standard error) and answers 0
// only if it succeeded.
int RunLogs(const ClientContext& context, const std::string& id, bool follow, std::chrono::milliseconds timeout);

}  // namespace jobsched::client
