#pragma once

#include <string_view>

#include "core/job_validation.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// Decodes a POST /jobs body sent as application/x-www-form-urlencoded, which
// the original service (Django REST framework) accepted besides JSON:
// "name=Number+Crunching&interval=weekly". is_active is "true" or "false";
// task, when given, is a JSON object's text. Fields are checked like JSON
// members: unknown ones are refused. Fails with kInvalidArgument naming the
// field.
core::Result<core::JobRequest> DecodeJobRequestForm(std::string_view body);

}  // namespace jobsched::api
