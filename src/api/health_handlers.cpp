#include "api/health_handlers.hpp"

#include "api/json_response.hpp"
#include "api/problem.hpp"

namespace jobsched::api {

void RegisterHealthHandlers(Router& router, store::JobStore& store, ReadinessCheck ready) {
  router.Add(
      "GET", "/readyz", [&store, ready = std::move(ready)](HttpRequest&&, const PathParams&, const Responder& respond) {
        if (auto alive = store.Ping(); !alive) {
          return respond(ProblemResponse(503, "database unavailable: " + alive.error().message, {}, "unavailable"));
        }
        if (ready) {
          if (auto fit = ready(); !fit) return respond(ProblemResponse(503, fit.error().message, {}, "unavailable"));
        }
        respond(JsonResponse(200, R"({"status":"ready"})"));
      });
  router.Add("GET", "/healthz", [&store](HttpRequest&&, const PathParams&, const Responder& respond) {
    if (auto alive = store.Ping(); !alive) {
      respond(ProblemResponse(503, "database unavailable: " + alive.error().message, {}, "unavailable"));
      return;
    }
    respond(JsonResponse(200, R"({"status":"ok"})"));
  });
}

}  // namespace jobsched::api
