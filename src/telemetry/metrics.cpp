#include "telemetry/metrics.hpp"

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace jobsched::telemetry {
namespace {

double Seconds(std::chrono::nanoseconds duration) { return std::chrono::duration<double>(duration).count(); }

// Lookups by a string key without allocating one (heterogeneous lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// A family's children by label key, created on first use. Reads take a
// shared lock; the set of keys is small and bounded, so it settles quickly.
template <typename Handles>
class LabelCache {
 public:
  template <typename Create>
  Handles& Get(std::string_view key, Create create) {
    {
      std::shared_lock lock(mutex_);
      if (auto found = map_.find(key); found != map_.end()) return found->second;
    }
    std::unique_lock lock(mutex_);
    if (auto found = map_.find(key); found != map_.end()) return found->second;
    return map_.emplace(std::string(key), create()).first->second;
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Handles, StringHash, std::equal_to<>> map_;
};

const prometheus::Histogram::BucketBoundaries kHttpBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,    0.25,  0.5,    1,     2.5,  5};
const prometheus::Histogram::BucketBoundaries kLagBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                          0.5,   1,     2.5,  5,     10,   30,  60};
const prometheus::Histogram::BucketBoundaries kStoreBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                            0.01,   0.025,   0.05,   0.1,   0.25,   1};

// A metric family registered with its name and help; Add() on it makes a
// series (with no labels for a metric that has none).
prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& registry, const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry& registry, const std::string& name,
                                                   const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Histogram>& HistogramFamily(prometheus::Registry& registry, const std::string& name,
                                                           const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
}

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  prometheus::Family<prometheus::Counter>& http_requests = CounterFamily(
      *registry, "jobsched_http_requests_total", "HTTP requests answered, by route template, method and status code.");
  prometheus::Family<prometheus::Histogram>& http_latency =
      HistogramFamily(*registry, "jobsched_http_request_duration_seconds",
                      "Time from a request's arrival at its handler to its answer, by route template and method.");
  prometheus::Histogram& fire_lag =
      HistogramFamily(*registry, "jobsched_run_start_lag_seconds",
                      "How long after its due time (scheduled time plus jitter) a scheduled run started.")
          .Add({}, kLagBuckets);
  prometheus::Family<prometheus::Counter>& runs_finished =
      CounterFamily(*registry, "jobsched_runs_finished_total",
                    "Runs that reached a final state on this node, by task type and state.");
  prometheus::Counter& runs_created = CounterFamily(*registry, "jobsched_scheduler_runs_created_total",
                                                    "Runs the scheduler on this node created for due occurrences.")
                                          .Add({});
  prometheus::Family<prometheus::Histogram>& store_latency =
      HistogramFamily(*registry, "jobsched_store_operation_duration_seconds",
                      "Time from submitting a store operation to its answer (writes: after the commit), by operation.");
  prometheus::Family<prometheus::Counter>& store_errors =
      CounterFamily(*registry, "jobsched_store_operation_errors_total",
                    "Store operations that failed (not found answers are not failures), by operation.");
  prometheus::Gauge& queued_runs =
      GaugeFamily(*registry, "jobsched_runs_queued", "Runs waiting in the queue (all nodes), at scrape time.").Add({});
  prometheus::Family<prometheus::Gauge>& slots =
      GaugeFamily(*registry, "jobsched_executor_slots", "This node's executor slots, busy and total.");
  prometheus::Gauge& busy_slots = slots.Add({{"state", "busy"}});
  prometheus::Gauge& total_slots = slots.Add({{"state", "total"}});
  prometheus::Gauge& heartbeat_age = GaugeFamily(*registry, "jobsched_node_heartbeat_age_seconds",
                                                 "Seconds since this node last renewed its run leases.")
                                         .Add({});

  prometheus::Gauge& live_nodes =
      GaugeFamily(*registry, "jobsched_nodes_alive",
                  "Nodes (processes running tasks) whose heartbeat is recent, at scrape time.")
          .Add({});

  prometheus::Family<prometheus::Counter>& alerts_raised =
      CounterFamily(*registry, "jobsched_alerts_raised_total",
                    "Alerts raised in this node's commits (one per alert, whatever its channels), by event.");
  prometheus::Family<prometheus::Counter>& alerts_sent = CounterFamily(
      *registry, "jobsched_alerts_sent_total", "Alert deliveries this node sent, by channel type (email, webhook).");
  prometheus::Counter& alerts_failed = CounterFamily(*registry, "jobsched_alerts_failed_total",
                                                     "Alert deliveries this node gave up on after their last attempt.")
                                           .Add({});
  // Every event and channel type, so that each series exists from the start.
  std::map<std::string, prometheus::Counter*, std::less<>> raised_by_event = [this] {
    std::map<std::string, prometheus::Counter*, std::less<>> counters;
    for (const char* event : {"failed", "recovered", "late", "silent", "skipped"}) {
      counters[event] = &alerts_raised.Add({{"event", event}});
    }
    return counters;
  }();
  prometheus::Counter& sent_email = alerts_sent.Add({{"channel", "email"}});
  prometheus::Counter& sent_webhook = alerts_sent.Add({{"channel", "webhook"}});

  struct HttpHandles {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  LabelCache<HttpHandles> http_cache;
  LabelCache<prometheus::Counter*> runs_cache;
  struct StoreHandles {
    prometheus::Histogram* latency;
    prometheus::Counter* errors;
  };
  LabelCache<StoreHandles> store_cache;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::ObserveHttpRequest(std::string_view route, std::string_view method, int status,
                                 std::chrono::nanoseconds latency) {
  // The key "route method status" without allocating: routes are short.
  std::array<char, 256> buffer;
  const std::string status_text = std::to_string(status);
  const std::size_t length = route.size() + method.size() + status_text.size() + 2;
  if (length > buffer.size()) return;  // cannot happen for registered routes
  char* out = buffer.data();
  out = std::copy(route.begin(), route.end(), out);
  *out++ = ' ';
  out = std::copy(method.begin(), method.end(), out);
  *out++ = ' ';
  std::copy(status_text.begin(), status_text.end(), out);
  const std::string_view key(buffer.data(), length);
  Impl::HttpHandles& handles = impl_->http_cache.Get(key, [&] {
    return Impl::HttpHandles{
        &impl_->http_requests.Add(
            {{"route", std::string(route)}, {"method", std::string(method)}, {"status", status_text}}),
        &impl_->http_latency.Add({{"route", std::string(route)}, {"method", std::string(method)}}, kHttpBuckets)};
  });
  handles.requests->Increment();
  handles.latency->Observe(Seconds(latency));
}

void Metrics::ObserveFireLag(std::chrono::nanoseconds lag) {
  impl_->fire_lag.Observe(Seconds(std::max(lag, std::chrono::nanoseconds{0})));
}

void Metrics::ObserveRunFinished(std::string_view task_type, std::string_view state) {
  std::string key(task_type);
  key += ' ';
  key += state;
  prometheus::Counter* counter = impl_->runs_cache.Get(key, [&] {
    return &impl_->runs_finished.Add({{"task_type", std::string(task_type)}, {"state", std::string(state)}});
  });
  counter->Increment();
}

void Metrics::ObserveAlertRaised(std::string_view event) {
  if (auto found = impl_->raised_by_event.find(event); found != impl_->raised_by_event.end()) {
    found->second->Increment();
  }
}

void Metrics::ObserveAlertSent(std::string_view channel) {
  (channel == "email" ? impl_->sent_email : impl_->sent_webhook).Increment();
}

void Metrics::ObserveAlertFailed() { impl_->alerts_failed.Increment(); }

void Metrics::ObserveRunsCreated(std::size_t count) { impl_->runs_created.Increment(static_cast<double>(count)); }

void Metrics::ObserveStoreOperation(std::string_view operation, bool ok, std::chrono::nanoseconds latency) {
  Impl::StoreHandles& handles = impl_->store_cache.Get(operation, [&] {
    return Impl::StoreHandles{&impl_->store_latency.Add({{"operation", std::string(operation)}}, kStoreBuckets),
                              &impl_->store_errors.Add({{"operation", std::string(operation)}})};
  });
  handles.latency->Observe(Seconds(latency));
  if (!ok) handles.errors->Increment();
}

void Metrics::SetQueuedRuns(std::size_t count) { impl_->queued_runs.Set(static_cast<double>(count)); }

void Metrics::SetExecutorSlots(std::size_t busy, std::size_t total) {
  impl_->busy_slots.Set(static_cast<double>(busy));
  impl_->total_slots.Set(static_cast<double>(total));
}

void Metrics::SetHeartbeatAge(double seconds) { impl_->heartbeat_age.Set(seconds); }

void Metrics::SetLiveNodes(std::size_t count) { impl_->live_nodes.Set(static_cast<double>(count)); }

std::string Metrics::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
  return std::move(out).str();
}

}  // namespace jobsched::telemetry
