#include "store/change_feed.hpp"

#include <algorithm>
#include <utility>

namespace jobsched::store {

class ChangeFanOut::Entry final : public ChangeFeed::Subscription {
 public:
  Entry(ChangeFanOut& owner, std::uint64_t id) : owner_(owner), id_(id) {}
  ~Entry() override { owner_.Remove(id_); }

 private:
  ChangeFanOut& owner_;
  const std::uint64_t id_;
};

std::unique_ptr<ChangeFeed::Subscription> ChangeFanOut::Subscribe(Handler handler) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  subscribers_.emplace_back(id, std::move(handler));
  return std::make_unique<Entry>(*this, id);
}

void ChangeFanOut::Publish(const StoreChange& change) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, handler] : subscribers_) handler(change);
}

bool ChangeFanOut::HasSubscribers() const {
  std::lock_guard lock(mutex_);
  return !subscribers_.empty();
}

void ChangeFanOut::Remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [id](const auto& subscriber) { return subscriber.first == id; });
}

}  // namespace jobsched::store
