#include "testing/time_literals.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace jobsched::testing {

core::TimePoint At(std::string_view rfc3339) {
  auto parsed = core::ParseRfc3339(rfc3339, "test literal");
  if (!parsed) {
    std::fprintf(stderr, "bad time literal in test: %s\n", std::string(rfc3339).c_str());
    std::abort();
  }
  return *parsed;
}

}  // namespace jobsched::testing
