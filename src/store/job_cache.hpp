#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

#include "core/annotated_mutex.hpp"
#include "core/job.hpp"
#include "store/job_snapshot.hpp"

namespace jobsched::store {

// Jobs as last read from a database that only this process writes (SQLite):
// GET /jobs/{id} then costs a lookup instead of a read transaction, the
// largest cost of that request after the kernel's (issue #2's profile). Each
// is a shared JobSnapshot, so a lookup copies nothing and the API's encoded
// form of the job lives as long as the entry.
//
// Correctness rests on the protocol, not on timing:
//   reader: ticket = Ticket(); job = read the database; Keep(job, ticket)
//   writer: commit; Invalidate(ids it changed); then answer its caller
// Keep stores nothing when any invalidation came after the ticket, so a read
// that may predate a commit is never kept past that commit's invalidation,
// and an entry kept before it is erased by it. Every write to a job row must
// therefore invalidate that row after its commit and before answering.
// Safe to use from any thread.
class JobCache {
 public:
  explicit JobCache(std::size_t capacity = 16384) : capacity_(capacity) {}

  std::uint64_t Ticket() const EXCLUDES(mutex_);
  // The kept snapshot of job `id`, or null.
  std::shared_ptr<const JobSnapshot> Find(core::JobId id) const EXCLUDES(mutex_);
  // Keeps `job` unless a job was invalidated since `ticket` was taken.
  void Keep(std::shared_ptr<const JobSnapshot> job, std::uint64_t ticket) EXCLUDES(mutex_);
  void Invalidate(std::span<const core::JobId> ids) EXCLUDES(mutex_);
  void Invalidate(core::JobId id) { Invalidate(std::span<const core::JobId>(&id, 1)); }

  std::size_t size() const EXCLUDES(mutex_);

 private:
  const std::size_t capacity_;
  mutable core::SharedMutex mutex_;
  std::uint64_t epoch_ GUARDED_BY(mutex_) = 0;  // advanced by every Invalidate
  std::unordered_map<core::JobId, std::shared_ptr<const JobSnapshot>> jobs_ GUARDED_BY(mutex_);
};

}  // namespace jobsched::store
