#include "api/router.hpp"

#include <algorithm>
#include <charconv>

#include <boost/container/small_vector.hpp>

#include "api/problem.hpp"

namespace jobsched::api {
namespace {

// A path's segments, inline: every request is split twice (Match, then
// Dispatch), and a heap vector each time showed up in the GET /jobs/{id}
// profile. Deeper paths than this still work; they allocate.
using Segments = boost::container::small_vector<std::string_view, 8>;

// "/jobs/7/" -> {"jobs", "7"}. Empty segments (from "//") are kept so that
// they do not match anything.
Segments SplitPath(std::string_view path) {
  Segments segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsCapture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool Matches(const std::vector<std::string>& pattern, const Segments& path, PathParams* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsCapture(pattern[i])) {
      if (path[i].empty()) return false;
      if (params != nullptr) params->emplace(pattern[i].substr(1, pattern[i].size() - 2), std::string(path[i]));
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

core::Result<std::int64_t> PathId(const PathParams& params, std::string_view name) {
  auto found = params.find(name);
  const std::string_view text = found == params.end() ? std::string_view() : std::string_view(found->second);
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return core::Error::NotFound(std::string(name) + " '" + std::string(text.substr(0, 32)) + "' does not exist");
  }
  return id;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  std::vector<std::string> segments;
  for (std::string_view segment : SplitPath(pattern)) segments.emplace_back(segment);
  for (std::string_view known : {std::string_view(method), method == "GET" ? "HEAD" : std::string_view()}) {
    if (!known.empty() && std::find(methods_.begin(), methods_.end(), known) == methods_.end()) {
      methods_.emplace_back(known);
    }
  }
  entries_.push_back(Entry{Route{std::move(method), std::move(pattern)}, std::move(segments), std::move(handler)});
}

std::string_view Router::MethodLabel(std::string_view method) const {
  for (const std::string& known : methods_) {
    if (known == method) return known;
  }
  return "other";
}

const Router::Route* Router::Match(std::string_view method, std::string_view path) const {
  const Segments segments = SplitPath(path);
  if (method == "HEAD") method = "GET";
  for (const Entry& entry : entries_) {
    if (entry.route.method == method && Matches(entry.segments, segments, nullptr)) return &entry.route;
  }
  return nullptr;
}

void Router::Dispatch(HttpRequest&& request, Responder respond, std::string_view* matched_pattern) const {
  const Segments segments = SplitPath(request.path);
  // HEAD is GET without the body; the server drops the body for HEAD.
  const std::string_view method = request.method == "HEAD" ? std::string_view("GET") : request.method;
  std::string allowed;
  for (const Entry& entry : entries_) {
    if (!Matches(entry.segments, segments, nullptr)) continue;
    if (matched_pattern != nullptr) *matched_pattern = entry.route.pattern;
    if (entry.route.method == method) {
      PathParams params;
      Matches(entry.segments, segments, &params);
      entry.handler(std::move(request), params, std::move(respond));
      return;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += entry.route.method;
  }
  if (allowed.empty()) {
    respond(ProblemResponse(404, "no route for " + request.path, {}, "not_found"));
    return;
  }
  HttpResponse response =
      ProblemResponse(405, "method " + request.method + " is not allowed on " + request.path + "; allowed: " + allowed,
                      {}, "method_not_allowed");
  response.SetHeader("Allow", allowed);
  respond(std::move(response));
}

std::vector<Router::Route> Router::Routes() const {
  std::vector<Route> routes;
  routes.reserve(entries_.size());
  for (const Entry& entry : entries_) routes.push_back(entry.route);
  return routes;
}

}  // namespace jobsched::api
