#include "api/json_body.hpp"

#include <cctype>
#include <string>

#include <boost/json/parse.hpp>

#include "api/http_problem.hpp"
#include "api/problem.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

}  // namespace

core::Result<json::object> DecodeJsonObject(const HttpRequest& request) {
  const std::string media = MediaType(request.Header("Content-Type"));
  if (media != "application/json" && !(media.size() > 5 && media.ends_with("+json"))) {
    return core::Error::InvalidArgument("Content-Type", "request body must be application/json");
  }
  json::error_code error;
  json::value document = json::parse(json::string_view(request.body.data(), request.body.size()), error);
  if (error) return core::Error::InvalidArgument("body", "request body is not valid JSON: " + error.message());
  if (!document.is_object()) return core::Error::InvalidArgument("body", "request body must be a JSON object");
  return std::move(document.as_object());
}

HttpResponse JsonBodyProblem(const core::Error& error) {
  if (error.field == "Content-Type")
    return ProblemResponse(415, error.message, "Content-Type", "unsupported_media_type");
  return ProblemResponse(error);
}

}  // namespace jobsched::api
