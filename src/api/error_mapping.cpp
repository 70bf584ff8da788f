#include "api/error_mapping.hpp"

namespace jobsched::api {

int HttpStatusFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalidArgument: return 400;
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kConflict: return 409;
    case core::ErrorCode::kPreconditionFailed: return 412;
    case core::ErrorCode::kUnauthenticated: return 401;
    case core::ErrorCode::kPermissionDenied: return 403;
    case core::ErrorCode::kRateLimited: return 429;
    case core::ErrorCode::kUnavailable: return 503;
    case core::ErrorCode::kTimeout: return 504;
    case core::ErrorCode::kInternal: return 500;
  }
  return 500;
}

}  // namespace jobsched::api
