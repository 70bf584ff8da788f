#include "api/form_codec.hpp"

#include <string>

#include "api/json_codec.hpp"
#include "api/query_params.hpp"
#include "codec/task_codec.hpp"

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
  if (!params)
    return core::Error::InvalidArgument("body", "request body is not a valid form: " + params.error().message);

  core::JobRequest request;
  for (const auto& [key, value] : params->values()) {
    if (std::optional<std::string>* field = JobRequestStringField(request, key)) {
      *field = value;
    } else if (key == "is_active") {
      auto active = params->GetBool("is_active");
      if (!active) return active.error();
      request.is_active = *active;
    } else if (key == "task") {
      if (value.size() > kMaxTaskBytes) {
        return core::Error::InvalidArgument("task", "task: at most " + std::to_string(kMaxTaskBytes) + " bytes");
      }
      auto task = codec::DecodeTask(value);
      if (!task) return task.error();
      request.task = std::move(task).value();
    } else if (key == "last_run" || key == "next_run") {
      continue;  // read-only fields of the original: ignored
    } else {
      return UnknownJobField(key);
    }
  }
  return request;
}

}  // namespace jobsched::api
