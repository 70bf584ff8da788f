#pragma once

#include <chrono>
#include <stop_token>
#include <utility>

namespace jobsched::executor::compute {

// Tells a long computation when to give up. Computations poll it every few
// thousand steps: checking reads the steady clock, which is cheap but not free.
class Interrupt {
 public:
  enum class Reason {
    kNone,
    kDeadline,  // the attempt's time is up
    kStopped,   // the run was cancelled or the runner is shutting down
  };

  Interrupt(std::chrono::steady_clock::time_point deadline, std::stop_token run_stop, std::stop_token runner_stop)
      : deadline_(deadline), run_stop_(std::move(run_stop)), runner_stop_(std::move(runner_stop)) {}

  // An interrupt that never fires, for callers without a deadline.
  static Interrupt Never() { return Interrupt(std::chrono::steady_clock::time_point::max(), {}, {}); }

  // Why the computation must stop now, or kNone. Once it returns something
  // else it keeps doing so.
  Reason Check() const {
    if (run_stop_.stop_requested() || runner_stop_.stop_requested()) return Reason::kStopped;
    if (std::chrono::steady_clock::now() >= deadline_) return Reason::kDeadline;
    return Reason::kNone;
  }
  bool Requested() const { return Check() != Reason::kNone; }

 private:
  std::chrono::steady_clock::time_point deadline_;
  std::stop_token run_stop_;
  std::stop_token runner_stop_;
};

}  // namespace jobsched::executor::compute
