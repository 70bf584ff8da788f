#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobsched::telemetry {

// Key/value context attached to every log line written on this thread while
// a LogContext lives (request_id, job_id, run_id, ...). The JSON log format
// writes them as members; the text format appends them as key=value.
class LogContext {
 public:
  LogContext(std::string_view key, std::string value);
  LogContext(std::string_view key, long long value) : LogContext(key, std::to_string(value)) {}
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

  // The context of this thread, oldest first.
  static const std::vector<std::pair<std::string, std::string>>& Current();
  // Whether this thread's context has `key` already.
  static bool Has(std::string_view key);
};

// This process's node id, written on every line (set once at start-up).
void SetLogNodeId(std::string node_id);
const std::string& LogNodeId();

}  // namespace jobsched::telemetry
