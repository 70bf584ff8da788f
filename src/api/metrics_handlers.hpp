#pragma once

#include <functional>

#include "api/router.hpp"

namespace jobsched::telemetry {
class Metrics;
}

namespace jobsched::api {

// GET /metrics: `metrics` in the Prometheus text format, after calling
// `before_scrape` (which may be empty) to refresh values read at scrape time.
void RegisterMetricsHandlers(Router& router, telemetry::Metrics& metrics, std::function<void()> before_scrape);

}  // namespace jobsched::api
