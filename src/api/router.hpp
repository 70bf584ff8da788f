#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_message.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// Values captured from a route pattern: "/jobs/{id}" matched by "/jobs/7"
// gives {"id": "7"}.
using PathParams = std::map<std::string, std::string, std::less<>>;

// The positive integer id captured as `name`; kNotFound otherwise, since no
// resource has such an id.
core::Result<std::int64_t> PathId(const PathParams& params, std::string_view name);

// Maps (method, path pattern) to handlers. Patterns are literal segments and
// `{name}` captures, e.g. "/jobs/{id}/runs". A trailing slash on the request
// path is ignored, as the original service accepted both "/jobs" and "/jobs/".
// Unknown paths get a 404 problem; known paths with another method a 405 with
// an Allow header. HEAD is served by the GET route.
class Router {
 public:
  using Handler = std::function<void(HttpRequest&&, const PathParams&, Responder)>;

  struct Route {
    std::string method;
    std::string pattern;
  };

  void Add(std::string method, std::string pattern, Handler handler);
  // The route that would handle `method` (HEAD as GET) on `path`, or nullptr
  // when Dispatch would answer 404 or 405. The pointer stays valid as long
  // as the router.
  const Route* Match(std::string_view method, std::string_view path) const;
  // Calls the matching route's handler. `matched_pattern`, when given, is
  // set before the handler runs to the pattern of the path's route (stable
  // storage of the router), or left alone when no route has this path.
  void Dispatch(HttpRequest&& request, Responder respond, std::string_view* matched_pattern = nullptr) const;

  // `method` as a metric label: a method some route has ("HEAD" when a GET
  // route exists), else "other". Clients choose method names freely, so a
  // label taken from the request would let anyone add series without end.
  // The view points into the router (or a literal).
  std::string_view MethodLabel(std::string_view method) const;

  // Every registered (method, pattern), in registration order: checked
  // against docs/openapi.yaml by the contract test.
  std::vector<Route> Routes() const;

 private:
  struct Entry {
    Route route;
    std::vector<std::string> segments;
    Handler handler;
  };

  std::vector<Entry> entries_;
  std::vector<std::string> methods_;  // distinct methods of entries_, HEAD too when GET is one
};

}  // namespace jobsched::api
