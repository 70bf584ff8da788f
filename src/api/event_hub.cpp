#include "api/event_hub.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace jobsched::api {

std::string FormatServerSentEvent(std::uint64_t id, std::string_view type, std::string_view data) {
  std::string text;
  text.reserve(32 + type.size() + data.size());
  text += "id: ";
  text += std::to_string(id);
  text += "\nevent: ";
  text += type;
  text += "\ndata: ";
  text += data;
  text += "\n\n";
  return text;
}

// One stream: the events waiting for it, as shared texts. Its own mutex, so
// a reader never waits for a publisher walking every subscriber.
class EventHub::Subscriber final : public ResponseStream {
 public:
  Subscriber(EventHub& hub, Caller caller) : hub_(&hub), caller_(std::move(caller)) {}
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;
  // A stream dropped without Close() leaves the hub all the same.
  ~Subscriber() override { Close(); }

  bool MayAccess(std::string_view namespace_name) const { return caller_.MayAccess(namespace_name); }

  // Queues `text`; false (and the stream ends) when that passes `limit`.
  bool Offer(std::shared_ptr<const std::string> text, std::size_t limit) {
    std::function<void()> wake;
    {
      core::MutexLock lock(mutex_);
      if (ended_) return true;
      if (bytes_ + text->size() > limit) {
        ended_ = true;
        queue_.clear();
        bytes_ = 0;
      } else {
        bytes_ += text->size();
        queue_.push_back(std::move(text));
      }
      wake = wake_;
    }
    if (wake) wake();
    return !Ended();
  }

  // Queues a last event and ends the stream.
  void End(std::shared_ptr<const std::string> last) {
    std::function<void()> wake;
    {
      core::MutexLock lock(mutex_);
      if (ended_) return;
      if (last) {
        bytes_ += last->size();
        queue_.push_back(std::move(last));
      }
      ended_ = true;
      wake = wake_;
    }
    if (wake) wake();
  }

  bool Ended() const {
    core::MutexLock lock(mutex_);
    return ended_;
  }

  void SetWake(std::function<void()> wake) override {
    core::MutexLock lock(mutex_);
    wake_ = std::move(wake);
  }

  bool Read(std::string& out) override {
    core::MutexLock lock(mutex_);
    for (const auto& text : queue_) out += *text;
    queue_.clear();
    bytes_ = 0;
    return !ended_;
  }

  std::string IdleChunk() override { return ": keep-alive\n\n"; }
  std::chrono::milliseconds idle_interval() const override { return heartbeat_; }

  void Close() override {
    EventHub* hub = nullptr;
    {
      core::MutexLock lock(mutex_);
      wake_ = nullptr;
      ended_ = true;
      queue_.clear();
      std::swap(hub, hub_);
    }
    if (hub != nullptr) hub->Remove(this);
  }

  void Detach() {
    core::MutexLock lock(mutex_);
    hub_ = nullptr;
  }

  std::chrono::milliseconds heartbeat_{15'000};

 private:
  mutable core::Mutex mutex_;
  EventHub* hub_ GUARDED_BY(mutex_);  // null once closed or the hub is gone
  const Caller caller_;
  std::deque<std::shared_ptr<const std::string>> queue_ GUARDED_BY(mutex_);
  std::size_t bytes_ GUARDED_BY(mutex_) = 0;
  bool ended_ GUARDED_BY(mutex_) = false;
  std::function<void()> wake_ GUARDED_BY(mutex_);
};

EventHub::EventHub(EventHubOptions options) : options_(options), next_id_(options.first_id) {}

EventHub::~EventHub() {
  core::MutexLock lock(mutex_);
  for (Subscriber* subscriber : subscribers_) subscriber->Detach();
}

void EventHub::Publish(std::string_view type, std::string_view namespace_name, std::string_view data_json) {
  Send(type, namespace_name, false, data_json);
}

void EventHub::PublishToAll(std::string_view type, std::string_view data_json) { Send(type, "", true, data_json); }

void EventHub::Send(std::string_view type, std::string_view namespace_name, bool everyone, std::string_view data_json) {
  core::MutexLock lock(mutex_);
  if (shut_down_) return;
  const std::uint64_t id = next_id_++;
  auto text = std::make_shared<const std::string>(FormatServerSentEvent(id, type, data_json));
  held_.push_back(Held{id, std::string(namespace_name), everyone, text});
  while (held_.size() > options_.replay_events) held_.pop_front();
  for (Subscriber* subscriber : subscribers_) {
    if (!everyone && !subscriber->MayAccess(namespace_name)) continue;
    if (!subscriber->Offer(text, options_.subscriber_buffer_bytes)) ++dropped_;
  }
}

std::shared_ptr<ResponseStream> EventHub::Subscribe(const Caller& caller, std::optional<std::uint64_t> last_event_id) {
  auto subscriber = std::make_shared<Subscriber>(*this, caller);
  subscriber->heartbeat_ = options_.heartbeat;
  core::MutexLock lock(mutex_);
  if (shut_down_) {
    subscriber->End(std::make_shared<const std::string>(FormatServerSentEvent(next_id_, "shutdown", "{}")));
    subscriber->Detach();
    return subscriber;
  }
  if (last_event_id) {
    const bool held = !held_.empty() && *last_event_id + 1 >= held_.front().id && *last_event_id < next_id_;
    const bool nothing_missed = *last_event_id + 1 == next_id_;
    if (held || nothing_missed) {
      for (const Held& event : held_) {
        if (event.id > *last_event_id && (event.everyone || caller.MayAccess(event.namespace_name))) {
          subscriber->Offer(event.text, options_.subscriber_buffer_bytes);
        }
      }
    } else {
      subscriber->Offer(std::make_shared<const std::string>(FormatServerSentEvent(next_id_ - 1, "reset", "{}")),
                        options_.subscriber_buffer_bytes);
    }
  }
  subscribers_.push_back(subscriber.get());
  return subscriber;
}

void EventHub::Shutdown() {
  core::MutexLock lock(mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  auto last = std::make_shared<const std::string>(FormatServerSentEvent(next_id_, "shutdown", "{}"));
  for (Subscriber* subscriber : subscribers_) subscriber->End(last);
}

std::size_t EventHub::subscriber_count() const {
  core::MutexLock lock(mutex_);
  return subscribers_.size();
}

std::uint64_t EventHub::dropped_count() const {
  core::MutexLock lock(mutex_);
  return dropped_;
}

void EventHub::Remove(Subscriber* subscriber) {
  core::MutexLock lock(mutex_);
  std::erase(subscribers_, subscriber);
}

}  // namespace jobsched::api
