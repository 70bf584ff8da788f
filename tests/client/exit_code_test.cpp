#include "client/exit_code.hpp"

#include <gtest/gtest.h>

namespace jobsched::client {
namespace {

TEST(ExitCodeFor, MapsEachKindOfFailureToItsDocumentedStatus) {
  using core::ErrorCode;
  const std::pair<ErrorCode, int> cases[] = {
      {ErrorCode::kInvalidArgument, 1}, {ErrorCode::kNotFound, 2},
      {ErrorCode::kConflict, 3},        {ErrorCode::kPreconditionFailed, 3},
      {ErrorCode::kUnauthenticated, 4}, {ErrorCode::kPermissionDenied, 4},
      {ErrorCode::kUnavailable, 5},     {ErrorCode::kInternal, 5},
      {ErrorCode::kRateLimited, 5},     {ErrorCode::kTimeout, 7},
  };
  for (const auto& [code, status] : cases) {
    EXPECT_EQ(ExitCodeFor(core::Error{code, "x", ""}), status) << core::ToString(code);
  }
}

}  // namespace
}  // namespace jobsched::client
