#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace jobsched::telemetry {

// The service's Prometheus metrics. Names follow Prometheus conventions
// (base units, `_total` counters) and every label value is bounded: route
// templates, never raw paths; task types and run states, never job names.
// Thread-safe; observing is cheap enough for every request.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered HTTP request. `route` is the matched route template (or
  // "unmatched"), `method` a method the router knows or "other" (the caller
  // closes both sets: each distinct value is a series kept forever).
  void ObserveHttpRequest(std::string_view route, std::string_view method, int status,
                          std::chrono::nanoseconds latency);
  // A run started executing `lag` after it was due (its scheduled time plus
  // its jitter): how late the scheduler and executor are.
  void ObserveFireLag(std::chrono::nanoseconds lag);
  // A run reached a final state.
  void ObserveRunFinished(std::string_view task_type, std::string_view state);
  // The scheduler created runs / recorded skipped occurrences.
  void ObserveRunsCreated(std::size_t count);
  // Alerts (docs/decisions/0011): one raised here (in a commit of this
  // node), by event; one delivery sent by this node, by channel type
  // ("email", "webhook"); one delivery failed for good here.
  void ObserveAlertRaised(std::string_view event);
  void ObserveAlertSent(std::string_view channel);
  void ObserveAlertFailed();
  // One store call, from submission to its answer.
  void ObserveStoreOperation(std::string_view operation, bool ok, std::chrono::nanoseconds latency);

  // Values read at scrape time.
  void SetQueuedRuns(std::size_t count);
  void SetExecutorSlots(std::size_t busy, std::size_t total);
  // Seconds since this node last renewed its leases (its heartbeat).
  void SetHeartbeatAge(double seconds);
  // Nodes whose heartbeat is recent (the nodes table; all of a cluster).
  void SetLiveNodes(std::size_t count);

  // Everything, in the Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The Content-Type of Render()'s output.
inline constexpr std::string_view kPrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace jobsched::telemetry
