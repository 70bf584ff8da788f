#include "executor/task_runner.hpp"

#include <utility>

namespace jobsched::executor {

std::string_view ToString(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kSucceeded: return "succeeded";
    case RunOutcome::kFailed: return "failed";
    case RunOutcome::kTimedOut: return "timed_out";
    case RunOutcome::kCancelled: return "cancelled";
  }
  return "failed";
}

TaskResult TaskResult::Succeeded(std::string output) {
  TruncateUtf8(output);
  return TaskResult{RunOutcome::kSucceeded, std::move(output), {}};
}

TaskResult TaskResult::Failed(std::string error, std::string output) {
  TruncateUtf8(output);
  TruncateUtf8(error);
  return TaskResult{RunOutcome::kFailed, std::move(output), std::move(error)};
}

TaskResult TaskResult::TimedOut(std::string error, std::string output) {
  TruncateUtf8(output);
  TruncateUtf8(error);
  return TaskResult{RunOutcome::kTimedOut, std::move(output), std::move(error)};
}

TaskResult TaskResult::Cancelled(std::string error) {
  TruncateUtf8(error);
  return TaskResult{RunOutcome::kCancelled, {}, std::move(error)};
}

void TruncateUtf8(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return;
  std::size_t cut = max_bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on the start
  // of a character; stored output must stay valid UTF-8 for the JSON API.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
}

}  // namespace jobsched::executor
