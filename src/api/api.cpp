#include "api/api.hpp"

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/alert_handlers.hpp"
#include "api/audit_handlers.hpp"
#include "api/backfill_handlers.hpp"
#include "api/console_handlers.hpp"
#include "api/docs_handlers.hpp"
#include "api/event_handlers.hpp"
#include "api/health_handlers.hpp"
#include "api/job_next_handlers.hpp"
#include "api/key_handlers.hpp"
#include "api/metrics_handlers.hpp"
#include "api/request_id.hpp"
#include "api/run_handlers.hpp"
#include "api/schedule_handlers.hpp"
#include "api/session_handlers.hpp"
#include "api/stats_handlers.hpp"
#include "telemetry/log_context.hpp"
#include "telemetry/metrics.hpp"

namespace jobsched::api {
namespace {

// What the answer of one request needs to know about it.
struct Exchange {
  std::string request_id;
  std::string method;
  std::string_view method_label;  // Router::MethodLabel: a closed set, unlike `method`
  std::string path;
  std::string_view route = "unmatched";  // the router's pattern, once matched
  std::chrono::steady_clock::time_point arrived;
  std::string key_name;                                            // the API key the request authenticated with, if any
  std::vector<std::pair<std::string, std::string>> limit_headers;  // RateLimit-*
};

// The access options, accepting the cookies of `sessions` when there are any.
AccessOptions WithSessions(AccessOptions access, SessionManager* sessions) {
  access.sessions = sessions;
  return access;
}

}  // namespace

Api::Api(store::JobStore& store, const core::Clock& clock, ApiOptions options)
    : jobs_(std::make_unique<JobHandlers>(store, clock, options.jobs)),
      bulk_(std::make_unique<BulkHandlers>(store, clock, std::move(options.jobs.on_cancel_requested))),
      access_(WithSessions(std::move(options.access), options.sessions), clock),
      metrics_(options.metrics),
      access_log_(options.access_log) {
  if (options.jobs_api) {
    jobs_->Register(router_);
    bulk_->Register(router_);
    RegisterRunHandlers(router_, store);
    if (options.alerts != nullptr) RegisterAlertHandlers(router_, *options.alerts, store, clock);
    RegisterJobNextHandler(router_, store, clock);
    RegisterBackfillHandler(router_, store, clock);
    RegisterScheduleHandlers(router_, clock);
    RegisterStatsHandler(router_, store, clock);
    EventHub* events = options.events;
    if (events == nullptr) events = (own_events_ = std::make_unique<EventHub>()).get();
    RegisterEventHandlers(router_, *events);
    if (options.sessions != nullptr)
      RegisterSessionHandlers(router_, *options.sessions, access_.keys(), access_, clock);
    if (options.api_keys != nullptr) RegisterKeyHandlers(router_, *options.api_keys, clock);
    if (options.audit != nullptr) RegisterAuditHandlers(router_, store, *options.audit);
    if (options.nodes != nullptr) RegisterAboutHandlers(router_, *options.nodes, options.about);
  }
  RegisterHealthHandlers(router_, store, std::move(options.ready));
  if (metrics_ != nullptr) RegisterMetricsHandlers(router_, *metrics_, std::move(options.before_scrape));
  if (options.jobs_api) {
    RegisterDocsHandlers(router_, options.docs_dir);
    RegisterConsoleHandlers(router_, options.console);
  }
}

void Api::Handle(HttpRequest&& request, Responder respond) const {
  auto exchange = std::make_shared<Exchange>();
  exchange->request_id = RequestIdFor(request.Header("X-Request-Id"));
  exchange->method = request.method;
  exchange->method_label = router_.MethodLabel(request.method);
  exchange->arrived = std::chrono::steady_clock::now();
  const bool log_all = access_log_ && spdlog::should_log(spdlog::level::info);
  if (log_all) exchange->path = request.path;
  // Log lines of the handler's own thread carry the request id.
  const telemetry::LogContext context("request_id", exchange->request_id);
  Responder answer = [this, exchange, log_all, respond = std::move(respond)](HttpResponse response) {
    const auto latency = std::chrono::steady_clock::now() - exchange->arrived;
    if (metrics_ != nullptr)
      metrics_->ObserveHttpRequest(exchange->route, exchange->method_label, response.status, latency);
    if (log_all || response.status >= 500) {
      const double ms = std::chrono::duration<double, std::milli>(latency).count();
      // Answered on another thread (a store's), or on the handler's own.
      std::optional<telemetry::LogContext> id;
      if (!telemetry::LogContext::Has("request_id")) id.emplace("request_id", exchange->request_id);
      std::optional<telemetry::LogContext> key;
      if (!exchange->key_name.empty()) key.emplace("api_key", exchange->key_name);
      const telemetry::LogContext route("route", std::string(exchange->route));
      const telemetry::LogContext status("status", response.status);
      const telemetry::LogContext duration("duration_ms", fmt::format("{:.3f}", ms));
      spdlog::log(response.status >= 500 ? spdlog::level::warn : spdlog::level::info, "{} {} {}", exchange->method,
                  exchange->path.empty() ? std::string(exchange->route) : exchange->path, response.status);
    }
    for (auto& [name, value] : exchange->limit_headers) response.SetHeader(std::move(name), std::move(value));
    // Moved, not copied: the exchange ends here (a Responder is called once).
    response.SetHeader("X-Request-Id", std::move(exchange->request_id));
    respond(std::move(response));
  };

  request.request_id = exchange->request_id;
  const Router::Route* route = router_.Match(request.method, request.path);
  AccessControl::Verdict verdict = access_.Check(request, route);
  exchange->limit_headers = std::move(verdict.headers);
  exchange->key_name = request.caller.key_name;
  if (verdict.refusal) {
    if (route != nullptr) exchange->route = route->pattern;
    answer(std::move(*verdict.refusal));
    return;
  }
  router_.Dispatch(std::move(request), std::move(answer), &exchange->route);
}

}  // namespace jobsched::api
