#include "api/form_codec.hpp"

#include <string>

#include "api/json_codec.hpp"
#include "api/query_params.hpp"

namespace jobsched::api {

core::Result<core::JobRequest> DecodeJobRequestForm(std::string_view body) {
  // Forms encode spaces as '+'; percent-decoding alone would keep them.
  std::string query;
  query.reserve(body.size());
  for (const char c : body) {
    if (c == '+') query += "%20";
    else query += c;
  }
  auto params = QueryParams::Parse(query);
  if (!params) return core::Error::InvalidArgument("body", "request body is not a valid form: " + params.error().message);

  core::JobRequest request;
  for (const auto& [key, value] : params->values()) {
    if (key == "name") {
      request.name = value;
    } else if (key == "interval") {
      request.interval = value;
    } else if (key == "every") {
      request.every = value;
    } else if (key == "is_active") {
      auto active = params->GetBool("is_active");
      if (!active) return active.error();
      request.is_active = *active;
    } else if (key == "task") {
      // Decode the task exactly as a JSON body would carry it.
      auto wrapped = DecodeJobRequest("{\"task\":" + value + "}");
      if (!wrapped) return core::Error::InvalidArgument("task", "task: must be a JSON object");
      request.task_json = wrapped->task_json;
    } else if (key == "last_run" || key == "next_run") {
      continue;  // read-only fields of the original: ignored
    } else {
      return UnknownJobField(key);
    }
  }
  return request;
}

}  // namespace jobsched::api
