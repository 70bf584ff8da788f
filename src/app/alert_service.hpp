#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "executor/alert_sender.hpp"
#include "executor/worker_pool.hpp"
#include "scheduler/alert_checker.hpp"
#include "store/alert_store.hpp"
#include "telemetry/metrics.hpp"

namespace jobsched::app {

// Alerts on this node (docs/decisions/0011-alerts.md): a metric and a log
// line for every alert the stores raise in this node's commits; on an
// executor node, the sender that delivers them through the task runners; on
// a scheduler node, the late and silence checks.
class AlertService {
 public:
  // `runners` null: this node runs no executor, so it sends nothing (other
  // nodes do). `lease` is the runs' (--lease-timeout): a killed node's
  // alerts are sent again by another, or by itself restarted, that much
  // later. Everything given must outlive the service.
  AlertService(store::AlertStore& store, const core::Clock& clock, const executor::TaskRunners* runners,
               telemetry::Metrics& metrics, const std::string& node_id, std::chrono::milliseconds lease, bool check,
               std::string console_url);
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;
  ~AlertService();

  // Stops listening and sending; deliveries in flight are tried again later.
  // Before the task runners go. Idempotent.
  void Stop();

 private:
  store::AlertStore& store_;
  std::unique_ptr<executor::AlertSender> sender_;
  std::unique_ptr<scheduler::AlertChecker> checker_;
};

}  // namespace jobsched::app
