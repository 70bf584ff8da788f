#pragma once

#include <mutex>
#include <string>
#include <utility>

#include "core/job.hpp"

namespace jobsched::store {

// A job's bytes as the API answers them: the JSON body and its ETag.
struct EncodedJob {
  std::string body;
  std::string etag;
};

// One job as read at one moment: immutable, shared by every reader of a store's job cache, with
// the job's encoded form kept beside it. The form is made once per snapshot instead of once per
// GET /jobs/{id} (encoding and hashing were a fifth of that request's own CPU, issue #19). A
// write to the job replaces the cached snapshot (JobCache), so a form never outlives the job it
// was made from. The store knows nothing of JSON: the reader passes the encoder.
class JobSnapshot {
 public:
  explicit JobSnapshot(core::Job job, std::string stored_form = {})
      : job_(std::move(job)), stored_form_(std::move(stored_form)) {}
  JobSnapshot(const JobSnapshot&) = delete;
  JobSnapshot& operator=(const JobSnapshot&) = delete;

  const core::Job& job() const { return job_; }
  // The bytes the store decoded the job from, in its own format (SQLite: the row's image): a row
  // with the same bytes decodes to the same job, so a read that finds them again can take this
  // snapshot instead of decoding. Empty when the store keeps none.
  const std::string& stored_form() const { return stored_form_; }

  // `encode(job())`, called on the first call only (any thread; concurrent first callers wait
  // for one encoding). Every caller must pass the same encoder.
  template <class Encode>
  const EncodedJob& Encoded(Encode&& encode) const {
    std::call_once(encoded_once_, [&] { encoded_ = std::forward<Encode>(encode)(job_); });
    return encoded_;
  }

 private:
  const core::Job job_;
  const std::string stored_form_;
  mutable std::once_flag encoded_once_;
  mutable EncodedJob encoded_;
};

}  // namespace jobsched::store
