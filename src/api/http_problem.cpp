#include "api/http_problem.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/utf8.hpp"

namespace jobsched::api {

std::string_view StatusTitle(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

HttpResponse ProblemResponse(int status, std::string_view detail, std::string_view field, std::string_view code) {
  boost::json::object body;
  body["type"] = "about:blank";
  body["title"] = StatusTitle(status);
  body["status"] = status;
  // Details and field names quote what the client sent (a request path, a
  // query value, the first bytes of a bad duration), which need not be UTF-8:
  // Boost.JSON would copy such bytes into the body as they are.
  body["detail"] = core::ToValidUtf8(detail);
  if (!field.empty()) body["field"] = core::ToValidUtf8(field);
  if (!code.empty()) body["code"] = code;
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/problem+json");
  response.SetHeader("Cache-Control", "no-store");
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace jobsched::api
