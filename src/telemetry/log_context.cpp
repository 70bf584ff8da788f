#include "telemetry/log_context.hpp"

namespace jobsched::telemetry {
namespace {

thread_local std::vector<std::pair<std::string, std::string>> current_context;
std::string node_id;  // written once before any thread logs

}  // namespace

LogContext::LogContext(std::string_view key, std::string value) {
  current_context.emplace_back(std::string(key), std::move(value));
}

LogContext::~LogContext() { current_context.pop_back(); }

const std::vector<std::pair<std::string, std::string>>& LogContext::Current() { return current_context; }

bool LogContext::Has(std::string_view key) {
  for (const auto& entry : current_context) {
    if (entry.first == key) return true;
  }
  return false;
}

void SetLogNodeId(std::string id) { node_id = std::move(id); }
const std::string& LogNodeId() { return node_id; }

}  // namespace jobsched::telemetry
