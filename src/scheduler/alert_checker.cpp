#include "scheduler/alert_checker.hpp"

#include <spdlog/spdlog.h>

#include "store/wait.hpp"

namespace jobsched::scheduler {

AlertChecker::AlertChecker(store::AlertStore& store, const core::Clock& clock, AlertCheckerOptions options)
    : store_(store), clock_(clock), options_(options) {}

AlertChecker::~AlertChecker() { Stop(); }

void AlertChecker::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void AlertChecker::Stop() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlertChecker::Loop() {
  for (;;) {
    auto checked =
        store::Wait<std::size_t>([&](auto done) { store_.CheckAlerts(clock_.Now(), options_.batch, std::move(done)); });
    if (!checked)
      spdlog::warn("alerts: the late and silence checks failed (will try again): {}", checked.error().message);
    core::MutexLock lock(mutex_);
    if (wake_.wait_for(lock.native(), options_.interval, [this] {
          mutex_.AssertHeld();
          return stopping_;
        })) {
      return;
    }
  }
}

}  // namespace jobsched::scheduler
