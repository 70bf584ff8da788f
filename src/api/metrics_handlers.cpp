#include "api/metrics_handlers.hpp"

#include "telemetry/metrics.hpp"

namespace jobsched::api {

void RegisterMetricsHandlers(Router& router, telemetry::Metrics& metrics, std::function<void()> before_scrape) {
  router.Add(
      "GET", "/metrics",
      [&metrics, before_scrape = std::move(before_scrape)](HttpRequest&&, const PathParams&, const Responder& respond) {
        if (before_scrape) before_scrape();
        HttpResponse response;
        response.body = metrics.Render();
        response.SetHeader("Content-Type", std::string(telemetry::kPrometheusTextContentType));
        response.SetHeader("Cache-Control", "no-store");
        respond(std::move(response));
      });
}

}  // namespace jobsched::api
