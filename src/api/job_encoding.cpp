#include "api/job_encoding.hpp"

#include <string>
#include <utility>

#include "api/job_etag.hpp"
#include "api/json_codec.hpp"

namespace jobsched::api {

const store::EncodedJob& EncodedFormOf(const store::JobSnapshot& snapshot) {
  return snapshot.Encoded([](const core::Job& job) {
    std::string body = EncodeJob(job);
    std::string etag = JobETag(job, body);
    return store::EncodedJob{std::move(body), std::move(etag)};
  });
}

}  // namespace jobsched::api
