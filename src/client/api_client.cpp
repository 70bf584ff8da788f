#include "client/api_client.hpp"

#include <regex>

#include <boost/json/parse.hpp>

#include "client/json_text.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

core::ErrorCode CodeForStatus(int status) {
  switch (status) {
    case 401: return core::ErrorCode::kUnauthenticated;
    case 403: return core::ErrorCode::kPermissionDenied;
    case 404: return core::ErrorCode::kNotFound;
    case 409: return core::ErrorCode::kConflict;
    case 412: return core::ErrorCode::kPreconditionFailed;
    case 429: return core::ErrorCode::kRateLimited;
    default: break;
  }
  return status >= 500 ? core::ErrorCode::kUnavailable : core::ErrorCode::kInvalidArgument;
}

// The target of a `Link: <...>; rel="next"` header, or "".
std::string NextLink(const HttpAnswer& answer) {
  auto link = answer.headers.find("link");
  if (link == answer.headers.end()) return "";
  static const std::regex kNext("<([^>]*)>\\s*;\\s*rel=\"next\"");
  std::smatch match;
  return std::regex_search(link->second, match, kNext) ? match[1].str() : "";
}

}  // namespace

core::Error ErrorFromAnswer(const HttpAnswer& answer) {
  core::Error error{CodeForStatus(answer.status), "", ""};
  json::error_code parse_error;
  const json::value body = json::parse(answer.body, parse_error);
  std::string detail;
  if (!parse_error && body.is_object()) {
    if (const json::value* text = body.get_object().if_contains("detail"); text && text->is_string()) {
      detail = std::string(text->get_string());
    }
    if (const json::value* field = body.get_object().if_contains("field"); field && field->is_string()) {
      error.field = std::string(field->get_string());
    }
  }
  if (detail.empty()) detail = answer.body.substr(0, 200);
  error.message = "the service answered " + std::to_string(answer.status) + ": " + detail;
  if (answer.status == 401) error.message += " (give an API key with --token, JOBSCHED_TOKEN or a profile)";
  return error;
}

core::Result<ApiAnswer> ApiClient::Send(const HttpCall& call) const {
  auto answer = SendHttp(settings_, call);
  if (!answer) return answer.error();
  if (answer->status < 200 || answer->status >= 300) return ErrorFromAnswer(*answer);
  ApiAnswer result;
  result.status = answer->status;
  if (auto etag = answer->headers.find("etag"); etag != answer->headers.end()) result.etag = etag->second;
  if (auto location = answer->headers.find("location"); location != answer->headers.end()) {
    result.location = location->second;
  }
  if (!answer->body.empty()) {
    json::error_code parse_error;
    result.body = json::parse(answer->body, parse_error);
    if (parse_error) {
      return core::Error::Unavailable("the service at " + settings_.server + " answered " + call.target +
                                      " with something that is not JSON; is it a jobsched service?");
    }
  }
  return result;
}

core::Result<ApiAnswer> ApiClient::Get(const std::string& target) const {
  HttpCall call;
  call.target = target;
  return Send(call);
}

namespace {

HttpCall ChangeCall(const std::string& method, const std::string& target, const std::optional<json::value>& body,
                    const std::string& if_match) {
  HttpCall call;
  call.method = method;
  call.target = target;
  if (body) call.body = ToJsonText(*body, false);
  if (method == "PATCH") call.content_type = "application/merge-patch+json";
  if (!if_match.empty()) call.headers.emplace_back("If-Match", if_match);
  return call;
}

}  // namespace

core::Result<ApiAnswer> ApiClient::DryRun(const std::string& method, const std::string& target,
                                          const std::optional<json::value>& body, const std::string& if_match) const {
  const char separator = target.find('?') == std::string::npos ? '?' : '&';
  return Send(ChangeCall(method, target + separator + "dry_run=true", body, if_match));
}

core::Result<ApiAnswer> ApiClient::Change(const std::string& method, const std::string& target,
                                          const std::optional<json::value>& body, const std::string& if_match) const {
  const HttpCall call = ChangeCall(method, target, body, if_match);
  if (print_curl_) {
    std::fprintf(curl_out_, "%s\n", CurlCommand(settings_, call).c_str());
    ApiAnswer printed;
    printed.printed = true;
    return printed;
  }
  return Send(call);
}

core::Result<json::array> ApiClient::GetAll(const std::string& target, std::size_t max_items) const {
  json::array items;
  std::string next = target;
  while (!next.empty() && items.size() < max_items) {
    HttpCall call;
    call.target = next;
    auto answer = SendHttp(settings_, call);
    if (!answer) return answer.error();
    if (answer->status != 200) return ErrorFromAnswer(*answer);
    json::error_code parse_error;
    json::value page = json::parse(answer->body, parse_error);
    if (parse_error || !page.is_array()) {
      return core::Error::Unavailable("the service answered " + next + " with something that is not a JSON list");
    }
    for (json::value& item : page.get_array()) {
      if (items.size() < max_items) items.push_back(std::move(item));
    }
    next = NextLink(*answer);
  }
  return items;
}

}  // namespace jobsched::client
