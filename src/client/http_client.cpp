#include "client/http_client.hpp"

#include <curl/curl.h>

#include <memory>

namespace jobsched::client {
namespace {

// libcurl's global state, once per process (the client makes one request
// at a time, from one thread).
bool CurlReady() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* answer) {
  static_cast<HttpAnswer*>(answer)->body.append(data, size * count);
  return size * count;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* answer) {
  std::string line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    static_cast<HttpAnswer*>(answer)->headers[name] = value;
  }
  return size * count;
}

// What went wrong, and what to check, for a request that got no answer.
core::Error NoAnswer(const ConnectionSettings& settings, CURLcode code, const char* detail) {
  std::string message = "cannot reach the jobsched service at " + settings.server + ": " +
                        (detail[0] != '\0' ? std::string(detail) : std::string(curl_easy_strerror(code)));
  if (code == CURLE_COULDNT_CONNECT) {
    message += " (is `jobsched serve` running there? set --server, JOBSCHED_SERVER or a profile)";
  } else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
             code == CURLE_SSL_CONNECT_ERROR) {
    message += " (TLS: for a certificate of your own CA, pass its PEM file with --cacert)";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    message += " (no answer in time)";
  }
  return core::Error::Unavailable(message);
}

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

Headers RequestHeaders(const ConnectionSettings& settings, const HttpCall& call) {
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Accept: application/json");
  if (call.body) list = curl_slist_append(list, ("Content-Type: " + call.content_type).c_str());
  if (!settings.token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + settings.token).c_str());
  for (const auto& [name, value] : call.headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  return Headers(list, curl_slist_free_all);
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

core::Result<HttpAnswer> SendHttp(const ConnectionSettings& settings, const HttpCall& call) {
  if (!CurlReady()) return core::Error::Internal("libcurl could not be initialised");
  Easy easy(curl_easy_init(), curl_easy_cleanup);
  if (!easy) return core::Error::Internal("libcurl could not make a handle");
  HttpAnswer answer;
  const std::string url = settings.server + call.target;
  Headers headers = RequestHeaders(settings, call);
  char error[CURL_ERROR_SIZE] = {};
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (call.body) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, call.body->c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body->size()));
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  if (!settings.cacert.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, settings.cacert.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &answer);
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) return NoAnswer(settings, code, error);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  return answer;
}

std::string CurlCommand(const ConnectionSettings& settings, const HttpCall& call) {
  std::string command = "curl -sS";
  if (call.method != "GET") command += " -X " + call.method;
  if (!settings.token.empty()) command += " -H \"Authorization: Bearer $JOBSCHED_TOKEN\"";
  for (const auto& [name, value] : call.headers) command += " -H " + ShellQuote(name + ": " + value);
  if (call.body) {
    command += " -H " + ShellQuote("Content-Type: " + call.content_type);
    command += " --data-binary " + ShellQuote(*call.body);
  }
  if (!settings.cacert.empty()) command += " --cacert " + ShellQuote(settings.cacert);
  return command + " " + ShellQuote(settings.server + call.target);
}

}  // namespace jobsched::client
