#pragma once

#include <string>
#include <string_view>

#include "core/job.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// A job's ETag: "<version>-<hash of the representation>". The hash makes
// If-None-Match see every change, including next_run moving as the job
// fires; the version lets If-Match tell an edit by someone else (412) from
// the scheduler's own progress, which must not fail a client's update.
std::string JobETag(const core::Job& job, std::string_view body);

// Succeeds when `if_match` is empty, "*", or lists an ETag of the job's
// current version; kPreconditionFailed otherwise.
core::Result<void> CheckIfMatch(std::string_view if_match, const core::Job& job);

}  // namespace jobsched::api
