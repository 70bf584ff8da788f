#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace jobsched::client {

// `jobsched job create`'s flags for the usual fields of a job and its task.
struct JobFlags {
  std::optional<std::string> name, namespace_name;
  std::optional<std::string> interval, every, cron, timezone, at, start_at, end_at;
  std::optional<std::string> timeout, misfire, catchup_window, overlap, jitter;
  bool paused = false;
  std::optional<std::int64_t> max_attempts;
  std::vector<std::string> labels;  // "key=value" (repeatable); the service checks keys and values
  // Task: at most one kind.
  std::optional<std::string> task_json;  // --task '{"type": ...}'
  std::optional<std::string> http_url, http_method, http_body;
  std::vector<std::string> http_headers;  // "Name: value"
  std::optional<std::int64_t> http_expect_status;
  std::vector<std::string> email_to;
  std::optional<std::string> email_subject, email_body;
  std::optional<std::string> compute;  // factorial_sum | prime_count | monte_carlo_pi
  std::optional<std::int64_t> compute_n;
  std::vector<std::string> shell_command;
  bool noop = false;
};

// The create request the flags describe. Checks only what the service
// cannot (a task of two kinds, a malformed --http-header or --task); the
// service validates the rest and names the field. Fails with
// kInvalidArgument naming the flag.
core::Result<boost::json::object> JobBodyFromFlags(const JobFlags& flags);

}  // namespace jobsched::client
