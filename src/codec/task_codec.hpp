#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/task.hpp"

namespace jobsched::codec {

// A task's JSON form, the same in the API and in the database:
//   {"type": "noop"}
//   {"type": "http", "url": "https://...", "method": "POST", "headers": {"X-A": "b"},
//    "body": "text" or any JSON value (sent as application/json), "timeout": "10s",
//    "expect_status": 204}
//   {"type": "email", "to": ["a@example.com"], "cc": [...], "subject": "...", "body": "...",
//    "from": "jobs@example.com"}
//   {"type": "compute", "function": "factorial_sum" | "prime_count" | "monte_carlo_pi", "n": 1000}
// Decoding checks JSON types, refuses unknown members and then applies
// core::ValidateTask. Fails with kInvalidArgument naming the field as a path
// under "task" ("task.url", "task.to[0]").
core::Result<core::Task> DecodeTask(std::string_view json);

// The canonical JSON of a task; DecodeTask(EncodeTask(t)) == t.
std::string EncodeTask(const core::Task& task);

}  // namespace jobsched::codec
