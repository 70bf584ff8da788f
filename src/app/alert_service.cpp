#include "app/alert_service.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace jobsched::app {

AlertService::AlertService(store::AlertStore& store, const core::Clock& clock, const executor::TaskRunners* runners,
                           telemetry::Metrics& metrics, const std::string& node_id, std::chrono::milliseconds lease,
                           bool check, std::string console_url)
    : store_(store) {
  if (runners != nullptr) {
    executor::AlertSenderOptions options;
    options.owner = node_id;
    options.console_url = std::move(console_url);
    // A delivery ends (its runner's timeout) well within its lease, so a
    // live sender always records it before anyone else may take it.
    options.timeout = std::clamp(lease / 2, std::chrono::milliseconds{1'000}, std::chrono::milliseconds{30'000});
    options.lease = std::max(lease, 2 * options.timeout);
    options.on_sent = [&metrics](std::string_view channel) { metrics.ObserveAlertSent(channel); };
    options.on_failed = [&metrics](std::string_view, bool final) {
      if (final) metrics.ObserveAlertFailed();
    };
    sender_ = std::make_unique<executor::AlertSender>(store, clock, *runners, std::move(options));
  }
  executor::AlertSender* sender = sender_.get();
  store_.SetRaisedObserver([&metrics, sender](const std::vector<store::RaisedAlert>& raised) {
    for (const store::RaisedAlert& alert : raised) {
      metrics.ObserveAlertRaised(core::ToString(alert.event));
      spdlog::info("alert raised: {} of job {} ({}){} to {} channel(s)", core::ToString(alert.event), alert.job_id,
                   alert.job_name, alert.run_id ? ", run " + std::to_string(*alert.run_id) : std::string(),
                   alert.channels);
    }
    if (sender != nullptr) sender->Notify();
  });
  if (sender_) sender_->Start();
  if (check) {
    checker_ = std::make_unique<scheduler::AlertChecker>(store, clock, scheduler::AlertCheckerOptions{});
    checker_->Start();
  }
}

AlertService::~AlertService() { Stop(); }

void AlertService::Stop() {
  if (checker_) checker_->Stop();
  store_.SetRaisedObserver(nullptr);
  if (sender_) sender_->Stop();
}

}  // namespace jobsched::app
