#include "api/problem.hpp"

#include "api/error_mapping.hpp"

namespace jobsched::api {

HttpResponse ProblemResponse(const core::Error& error) {
  return ProblemResponse(HttpStatusFor(error.code), error.message, error.field, core::ToString(error.code));
}

}  // namespace jobsched::api
