#pragma once

#include <atomic>
#include <string>

namespace jobsched::testing {

// "job 1", "job 2", ...: a name no other job of this test process has. Job
// names are unique within a namespace (docs/decisions/0009-job-identity.md);
// tests that create many jobs whose names do not matter take one of these.
inline std::string UniqueJobName() {
  static std::atomic<int> counter{0};
  return "job " + std::to_string(++counter);
}

}  // namespace jobsched::testing
