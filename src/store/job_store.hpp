#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "core/job.hpp"
#include "core/result.hpp"

namespace jobsched::store {

// One page of GET /jobs: jobs ordered by id, starting after `after_id`.
struct JobListQuery {
  std::optional<bool> is_active;
  std::optional<core::JobId> after_id;  // keyset cursor: the last id of the previous page
  std::size_t limit = 100;
};

// Where jobs live. Implementations: SqliteJobStore (embedded, the default)
// and, later, PostgresJobStore. Every method is safe to call from any thread.
class JobStore {
 public:
  using JobCallback = std::function<void(core::Result<core::Job>)>;

  virtual ~JobStore() = default;

  // Inserts `job` (its id is assigned here) and calls `done` once the
  // transaction is durable, with the stored job, or with an error if nothing
  // was written. `done` runs on a store thread: keep it short and hand work
  // elsewhere. Concurrent creates may share one transaction (group commit).
  virtual void CreateJob(core::Job job, JobCallback done) = 0;

  // The job with this id, or kNotFound.
  virtual core::Result<core::Job> GetJob(core::JobId id) = 0;

  // Up to query.limit jobs after query.after_id, in id order.
  virtual core::Result<std::vector<core::Job>> ListJobs(const JobListQuery& query) = 0;

  // Succeeds when the database answers a trivial query.
  virtual core::Result<void> Ping() = 0;
};

// Blocking form of CreateJob, for tests, tools and code that owns no event loop.
core::Result<core::Job> CreateJobAndWait(JobStore& store, core::Job job);

}  // namespace jobsched::store
