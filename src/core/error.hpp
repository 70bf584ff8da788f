#pragma once

#include <string>
#include <string_view>

namespace jobsched::core {

// What kind of failure happened; the API maps each code to one HTTP status in
// api/error_mapping.cpp, so layers below never think in status codes.
enum class ErrorCode {
  kInvalidArgument,     // the caller sent something we refuse (400)
  kNotFound,            // the thing asked for does not exist (404)
  kConflict,            // it exists already, or its state forbids the change (409)
  kPreconditionFailed,  // a version check (If-Match) did not hold (412)
  kUnauthenticated,     // no credentials, or ones that are not valid (401)
  kPermissionDenied,    // valid credentials that do not allow this (403)
  kRateLimited,         // the caller used up its request budget for now (429)
  kUnavailable,         // a dependency (database, SMTP server) cannot be reached (503)
  kTimeout,             // an operation ran out of time
  kInternal,            // a bug or an unexpected failure of our own
};

std::string_view ToString(ErrorCode code);

// An expected failure, carried as a value. `field` names the offending input
// field (a JSON member such as "interval") when there is one, so clients can
// point at it; it is empty otherwise.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;

  static Error InvalidArgument(std::string field, std::string message) {
    return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Error NotFound(std::string message) { return Error{ErrorCode::kNotFound, std::move(message), {}}; }
  static Error Conflict(std::string message) { return Error{ErrorCode::kConflict, std::move(message), {}}; }
  static Error Unauthenticated(std::string message) {
    return Error{ErrorCode::kUnauthenticated, std::move(message), {}};
  }
  static Error PermissionDenied(std::string message) {
    return Error{ErrorCode::kPermissionDenied, std::move(message), {}};
  }
  static Error Unavailable(std::string message) { return Error{ErrorCode::kUnavailable, std::move(message), {}}; }
  static Error Internal(std::string message) { return Error{ErrorCode::kInternal, std::move(message), {}}; }
};

}  // namespace jobsched::core
