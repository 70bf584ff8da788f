#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <thread>

#include "core/annotated_mutex.hpp"
#include "core/clock.hpp"
#include "store/alert_store.hpp"

namespace jobsched::scheduler {

struct AlertCheckerOptions {
  // How often the late and silence checks run; alerts of either come at
  // most this much after their instant.
  std::chrono::milliseconds interval{1'000};
  // Runs and jobs each check looks at per pass.
  std::size_t batch = 500;
};

// The scheduler role's checks (docs/decisions/0011-alerts.md): runs that
// have not started `late_after` past their scheduled time, and jobs with no
// success for `silent_for` (a dead man's switch), each pass one store
// transaction (AlertStore::CheckAlerts). On its own thread, so that a pass
// never delays firing.
class AlertChecker {
 public:
  // `store` and `clock` must outlive the checker.
  AlertChecker(store::AlertStore& store, const core::Clock& clock, AlertCheckerOptions options);
  AlertChecker(const AlertChecker&) = delete;
  AlertChecker& operator=(const AlertChecker&) = delete;
  ~AlertChecker();

  void Start();
  void Stop() EXCLUDES(mutex_);

 private:
  void Loop() EXCLUDES(mutex_);

  store::AlertStore& store_;
  const core::Clock& clock_;
  const AlertCheckerOptions options_;
  core::Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace jobsched::scheduler
