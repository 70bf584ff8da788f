#include "client/exit_code.hpp"

namespace jobsched::client {

int ExitCodeFor(const core::Error& error) {
  switch (error.code) {
    case core::ErrorCode::kInvalidArgument: return kExitUsage;
    case core::ErrorCode::kNotFound: return kExitNotFound;
    case core::ErrorCode::kConflict:
    case core::ErrorCode::kPreconditionFailed: return kExitConflict;
    case core::ErrorCode::kUnauthenticated:
    case core::ErrorCode::kPermissionDenied: return kExitAuth;
    case core::ErrorCode::kTimeout: return kExitWaitTimedOut;
    case core::ErrorCode::kRateLimited:
    case core::ErrorCode::kUnavailable:
    case core::ErrorCode::kInternal: return kExitUnavailable;
  }
  return kExitUnavailable;
}

}  // namespace jobsched::client
