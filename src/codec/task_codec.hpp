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
//    "expect_status": 204, "secret_headers": ["X-A"], "signing_secret": "..."}
//   {"type": "email", "to": ["a@example.com"], "cc": [...], "subject": "...", "body": "...",
//    "from": "jobs@example.com"}
//   {"type": "compute", "function": "factorial_sum" | "prime_count" | "monte_carlo_pi", "n": 1000}
//   {"type": "shell", "command": ["backup", "--all"], "env": {"MODE": "full"}, "working_dir": "/srv"}
// Decoding checks JSON types, refuses unknown members and then applies
// core::ValidateTask. Fails with kInvalidArgument naming the field as a path
// under "task" ("task.url", "task.to[0]").
core::Result<core::Task> DecodeTask(std::string_view text);

// The canonical JSON of a task, secrets included: for the store only.
// DecodeTask(EncodeTask(t)) == t.
std::string EncodeTask(const core::Task& task);

// The JSON of a task as the API shows it: like EncodeTask, with the value of
// every secret header (core::IsSecretHeader) and the signing secret replaced
// by core::kRedacted.
std::string EncodeTaskForApi(const core::Task& task);

}  // namespace jobsched::codec
