#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
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
  explicit JobSnapshot(core::Job job, std::int64_t row_version = 0) : job_(std::move(job)), row_version_(row_version) {}
  JobSnapshot(const JobSnapshot&) = delete;
  JobSnapshot& operator=(const JobSnapshot&) = delete;
  ~JobSnapshot() { delete encoded_.load(std::memory_order_acquire); }

  const core::Job& job() const { return job_; }
  // The version of the stored row the job was decoded from (SQLite: jobs.row_version, which
  // every change of the row changes, migration 0028): a read that finds the same version can
  // take this snapshot instead of reading and decoding the row. 0 when the store keeps none.
  std::int64_t row_version() const { return row_version_; }

  // `encode(job())`, made on the first call and kept (any thread). Callers that come together
  // before it is kept may each encode; the first to finish publishes its form and the others
  // take it. Not std::call_once: glibc's pthread_once ends every first call with a futex wake
  // system call, a tenth of the CPU of a list page of jobs not yet encoded. Every caller must
  // pass the same encoder.
  template <class Encode>
  const EncodedJob& Encoded(Encode&& encode) const {
    if (const EncodedJob* kept = encoded_.load(std::memory_order_acquire)) return *kept;
    auto made = std::make_unique<const EncodedJob>(std::forward<Encode>(encode)(job_));
    const EncodedJob* kept = nullptr;
    if (encoded_.compare_exchange_strong(kept, made.get(), std::memory_order_acq_rel, std::memory_order_acquire)) {
      return *made.release();
    }
    return *kept;  // another caller's, published first; ours is dropped
  }

 private:
  const core::Job job_;
  const std::int64_t row_version_;
  mutable std::atomic<const EncodedJob*> encoded_{nullptr};  // owned; set once
};

}  // namespace jobsched::store
