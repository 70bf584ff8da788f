#pragma once

#include <memory>

#include <spdlog/formatter.h>

namespace jobsched::telemetry {

// spdlog formatters for the two log formats (--log-format):
//   json  one object per line: {"time":"2026-11-27T10:00:00.123Z","level":"info",
//         "message":"...","node_id":"...", ...the thread's LogContext}
//   text  "2026-11-27T10:00:00.123Z info message key=value ..." for a terminal
std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();
std::unique_ptr<spdlog::formatter> MakeTextLogFormatter();

}  // namespace jobsched::telemetry
