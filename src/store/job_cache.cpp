#include "store/job_cache.hpp"

namespace jobsched::store {

std::uint64_t JobCache::Ticket() const {
  core::ReaderMutexLock lock(mutex_);
  return epoch_;
}

std::optional<core::Job> JobCache::Find(core::JobId id) const {
  core::ReaderMutexLock lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end()) return std::nullopt;
  return found->second;
}

void JobCache::Keep(const core::Job& job, std::uint64_t ticket) {
  core::WriterMutexLock lock(mutex_);
  if (ticket != epoch_) return;  // a write committed meanwhile: `job` may predate it
  if (jobs_.size() >= capacity_ && !jobs_.contains(job.id)) jobs_.erase(jobs_.begin());  // any one: no LRU needed
  jobs_.insert_or_assign(job.id, job);
}

void JobCache::Invalidate(std::span<const core::JobId> ids) {
  core::WriterMutexLock lock(mutex_);
  ++epoch_;
  for (const core::JobId id : ids) jobs_.erase(id);
}

std::size_t JobCache::size() const {
  core::ReaderMutexLock lock(mutex_);
  return jobs_.size();
}

}  // namespace jobsched::store
