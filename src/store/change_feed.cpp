#include "store/change_feed.hpp"

#include <algorithm>
#include <utility>

namespace jobsched::store {

StoreChange StoreChange::Scheduled(core::TimePoint next_run) {
  StoreChange change;
  change.kind = Kind::kJobScheduled;
  change.next_run = next_run;
  return change;
}

StoreChange StoreChange::RunsQueued() {
  StoreChange change;
  change.kind = Kind::kRunsQueued;
  return change;
}

StoreChange StoreChange::Resync() { return StoreChange{}; }

StoreChange StoreChange::Job(Action action, std::int64_t job_id, std::string namespace_name) {
  StoreChange change;
  change.kind = Kind::kJob;
  change.action = action;
  change.job_id = job_id;
  change.namespace_name = std::move(namespace_name);
  return change;
}

StoreChange StoreChange::Run(Action action, std::int64_t run_id, std::int64_t job_id, std::string state,
                             std::string namespace_name) {
  StoreChange change;
  change.kind = Kind::kRun;
  change.action = action;
  change.run_id = run_id;
  change.job_id = job_id;
  change.state = std::move(state);
  change.namespace_name = std::move(namespace_name);
  return change;
}

std::string_view EventName(const StoreChange& change) {
  using Action = StoreChange::Action;
  if (change.kind == StoreChange::Kind::kJob) {
    switch (change.action) {
      case Action::kCreated: return "job.created";
      case Action::kDeleted: return "job.deleted";
      default: return "job.updated";
    }
  }
  if (change.kind == StoreChange::Kind::kRun) {
    switch (change.action) {
      case Action::kStarted: return "run.started";
      case Action::kFinished: return "run.finished";
      case Action::kQueued: return "run.queued";
      default: return "run.updated";
    }
  }
  return "";
}

class ChangeFanOut::Entry final : public ChangeFeed::Subscription {
 public:
  Entry(ChangeFanOut& owner, std::uint64_t id) : owner_(owner), id_(id) {}
  ~Entry() override { owner_.Remove(id_); }

 private:
  ChangeFanOut& owner_;
  const std::uint64_t id_;
};

std::unique_ptr<ChangeFeed::Subscription> ChangeFanOut::Subscribe(Handler handler) {
  core::MutexLock lock(mutex_);
  const std::uint64_t id = next_id_++;
  subscribers_.emplace_back(id, std::move(handler));
  return std::make_unique<Entry>(*this, id);
}

void ChangeFanOut::Publish(const StoreChange& change) {
  core::MutexLock lock(mutex_);
  for (const auto& [id, handler] : subscribers_) handler(change);
}

bool ChangeFanOut::HasSubscribers() const {
  core::MutexLock lock(mutex_);
  return !subscribers_.empty();
}

void ChangeFanOut::Remove(std::uint64_t id) {
  core::MutexLock lock(mutex_);
  std::erase_if(subscribers_, [id](const auto& subscriber) { return subscriber.first == id; });
}

}  // namespace jobsched::store
