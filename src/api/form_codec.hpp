#pragma once

#include <string_view>

#include "core/job_validation.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// Decodes a POST /jobs body sent as application/x-www-form-urlencoded, which
// the original service (Django REST framework) accepted besides JSON:
// "name=Number+Crunching&interval=weekly". Read as Django read it: fields
// split at '&' and at the first '=', '+' and %XX decoded, and whatever else
// taken as it is (spaces typed into `curl -d`, a '%' that starts no escape);
// a repeated field's last value wins; a blank field (`task=`, or a name with
// no '=') counts as absent, as an HTML form sends it. is_active takes Django
// REST framework's spellings (true/false, on/off, yes/no, 1/0, ...); task,
// when given, is a JSON object's text. Unknown fields are refused, as in
// JSON. Fails with kInvalidArgument naming the field and what is wrong.
core::Result<core::JobRequest> DecodeJobRequestForm(std::string_view body);

}  // namespace jobsched::api
