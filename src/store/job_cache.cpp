#include "store/job_cache.hpp"

namespace jobsched::store {

std::uint64_t JobCache::Ticket() const {
  core::ReaderMutexLock lock(mutex_);
  return epoch_;
}

std::shared_ptr<const JobSnapshot> JobCache::Find(core::JobId id) const {
  core::ReaderMutexLock lock(mutex_);
  auto found = jobs_.find(id);
  if (found == jobs_.end()) return nullptr;
  return found->second;
}

void JobCache::Keep(std::shared_ptr<const JobSnapshot> job, std::uint64_t ticket) {
  const core::JobId id = job->job().id;
  core::WriterMutexLock lock(mutex_);
  if (ticket != epoch_) return;  // a write committed meanwhile: `job` may predate it
  if (jobs_.size() >= capacity_ && !jobs_.contains(id)) jobs_.erase(jobs_.begin());  // any one: no LRU needed
  jobs_.insert_or_assign(id, std::move(job));
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
