#include "api/event_bridge.hpp"

#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace jobsched::api {
namespace {

// Namespaces remembered, at most: beyond it the cache starts over (one read
// per job seen again).
constexpr std::size_t kMaxRemembered = 100'000;

void AppendJsonString(std::string& out, std::string_view text) {
  out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
}

}  // namespace

std::string EventData(const store::StoreChange& change, const std::string& job_namespace) {
  std::string data = "{\"type\":";
  AppendJsonString(data, store::EventName(change));
  data += ",\"job_id\":" + std::to_string(change.job_id);
  data += ",\"namespace\":";
  AppendJsonString(data, job_namespace);
  if (change.kind == store::StoreChange::Kind::kRun) {
    data += ",\"run_id\":" + std::to_string(change.run_id);
    data += ",\"state\":";
    AppendJsonString(data, change.state);
  }
  data += '}';
  return data;
}

EventBridge::EventBridge(store::ChangeFeed& changes, store::JobStore& jobs, EventHub& hub) : jobs_(jobs), hub_(hub) {
  subscription_ = changes.Subscribe([this](const store::StoreChange& change) { OnChange(change); });
}

void EventBridge::OnChange(const store::StoreChange& change) {
  using Kind = store::StoreChange::Kind;
  if (change.kind == Kind::kResync) {
    hub_.PublishToAll("reset", "{}");
    return;
  }
  if (change.kind != Kind::kJob && change.kind != Kind::kRun) return;
  if (hub_.subscriber_count() == 0 && change.namespace_name.empty()) {
    // Nobody listens: skip the read a namespace could cost. (Replay after a
    // reconnect then misses these, which a client learns from its own gap:
    // Last-Event-ID older than what is held gets a reset.)
    return;
  }
  const std::string job_namespace = NamespaceOf(change);
  if (job_namespace.empty()) return;  // the job is gone: so is everything about it
  hub_.Publish(store::EventName(change), job_namespace, EventData(change, job_namespace));
  if (change.kind == Kind::kJob && change.action == store::StoreChange::Action::kDeleted) {
    core::MutexLock lock(mutex_);
    namespaces_.erase(change.job_id);
  }
}

std::string EventBridge::NamespaceOf(const store::StoreChange& change) {
  if (!change.namespace_name.empty()) {
    core::MutexLock lock(mutex_);
    if (namespaces_.size() >= kMaxRemembered) namespaces_.clear();
    namespaces_.emplace(change.job_id, change.namespace_name);
    return change.namespace_name;
  }
  {
    core::MutexLock lock(mutex_);
    if (auto found = namespaces_.find(change.job_id); found != namespaces_.end()) return found->second;
  }
  auto job = jobs_.GetJob(change.job_id);
  if (!job) return "";
  core::MutexLock lock(mutex_);
  if (namespaces_.size() >= kMaxRemembered) namespaces_.clear();
  namespaces_.emplace(change.job_id, job->namespace_name);
  return job->namespace_name;
}

}  // namespace jobsched::api
