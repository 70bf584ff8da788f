#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/job.hpp"
#include "core/job_patch.hpp"
#include "core/job_validation.hpp"
#include "core/result.hpp"
#include "core/run.hpp"

namespace jobsched::api {

// Largest task object we store, serialized. Tasks are small descriptions
// (a URL, an email); anything bigger is almost surely a mistake.
constexpr std::size_t kMaxTaskBytes = 64 * 1024;

// Decodes a POST /jobs body. Checks JSON syntax and the type of every member,
// and refuses members it does not know, so a typo such as "intervall" cannot
// pass silently. The original service's read-only fields (last_run, next_run)
// are accepted and ignored. Fails with kInvalidArgument naming the field.
core::Result<core::JobRequest> DecodeJobRequest(std::string_view body);

// Where the string member `key` of a job request goes; nullptr when `key` is
// not one (name, interval, every, cron, timezone, at, start_at, end_at, timeout,
// misfire, catchup_window, overlap, jitter, namespace).
std::optional<std::string>* JobRequestStringField(core::JobRequest& request, std::string_view key);

// The error for a member a job request does not have, suggesting the known
// field it most likely meant ("intervall" -> "interval").
core::Error UnknownJobField(std::string_view name);

// Decodes a PATCH /jobs/{id} body, a JSON merge patch: members set to a
// value change, task/timezone/start_at/end_at/labels set to null are removed
// (labels given replace the job's labels whole), other
// members cannot be null. Fails with kInvalidArgument naming the field.
core::Result<core::JobPatch> DecodeJobPatch(std::string_view body);

// A job as the API shows it: snake_case members, times in RFC 3339 with Z.
std::string EncodeJob(const core::Job& job);
// A JSON array of jobs.
std::string EncodeJobs(const std::vector<core::Job>& jobs);

// A run as the API shows it, and a JSON array of runs.
std::string EncodeRun(const core::Run& run);
std::string EncodeRuns(const std::vector<core::Run>& runs);
// The earlier attempts of a run, as a JSON array, oldest first.
std::string EncodeRunAttempts(const std::vector<core::RunAttempt>& attempts);

}  // namespace jobsched::api
