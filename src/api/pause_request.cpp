#include "api/pause_request.hpp"

#include <string>
#include <string_view>

#include "api/json_body.hpp"

namespace jobsched::api {

core::Result<core::PauseRequest> DecodePauseRequest(const HttpRequest& request) {
  core::PauseRequest pause;
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return pause;
  auto object = DecodeJsonObject(request);
  if (!object) return object.error();
  for (const auto& member : *object) {
    const std::string_view key(member.key().data(), member.key().size());
    if (key != "reason" && key != "until") {
      const std::string name(key.substr(0, 64));
      return core::Error::InvalidArgument(name, "unknown field '" + name + "'; a pause takes reason and until");
    }
    if (member.value().is_null()) continue;
    if (!member.value().is_string()) {
      return core::Error::InvalidArgument(std::string(key), std::string(key) + ": must be a string or null");
    }
    std::string value(member.value().as_string().data(), member.value().as_string().size());
    (key == "reason" ? pause.reason : pause.until) = std::move(value);
  }
  return pause;
}

}  // namespace jobsched::api
