#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "api/event_hub.hpp"
#include "core/annotated_mutex.hpp"
#include "store/change_feed.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// Turns the store's committed changes into events of the stream: every job
// and run change (StoreChange kJob, kRun) becomes one small JSON event for
// the namespaces that may see it, and a resync (lost notifications) a
// "reset" for everyone. In cluster mode the store's feed carries every
// node's changes, so each node's stream shows all of them.
class EventBridge {
 public:
  // Subscribes to `changes` until destroyed. `jobs` tells the namespace of a
  // change that does not carry it (kept in a bounded cache: a job's namespace
  // never changes). All three must outlive the bridge.
  EventBridge(store::ChangeFeed& changes, store::JobStore& jobs, EventHub& hub);
  EventBridge(const EventBridge&) = delete;
  EventBridge& operator=(const EventBridge&) = delete;
  ~EventBridge() = default;

 private:
  void OnChange(const store::StoreChange& change) EXCLUDES(mutex_);
  // The namespace of job `id`, or "" when it no longer exists.
  std::string NamespaceOf(const store::StoreChange& change) EXCLUDES(mutex_);

  store::JobStore& jobs_;
  EventHub& hub_;
  core::Mutex mutex_;
  std::unordered_map<std::int64_t, std::string> namespaces_ GUARDED_BY(mutex_);
  // Last: ends first, so no change arrives while the rest is destroyed.
  std::unique_ptr<store::ChangeFeed::Subscription> subscription_;
};

// The data of a job or run event: {"type", "job_id", "namespace"} plus, for
// runs, "run_id" and "state".
std::string EventData(const store::StoreChange& change, const std::string& job_namespace);

}  // namespace jobsched::api
