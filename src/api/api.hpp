#pragma once

#include <memory>
#include <string>

#include "api/about_handlers.hpp"
#include "api/access_control.hpp"
#include "api/bulk_handlers.hpp"
#include "api/console_handlers.hpp"
#include "api/event_hub.hpp"
#include "api/health_handlers.hpp"
#include "api/http_message.hpp"
#include "api/job_handlers.hpp"
#include "api/router.hpp"
#include "api/session_manager.hpp"
#include "core/clock.hpp"
#include "store/alert_store.hpp"
#include "store/api_key_store.hpp"
#include "store/audit_log.hpp"
#include "store/job_store.hpp"
#include "store/node_store.hpp"

namespace jobsched::telemetry {
class Metrics;
}

namespace jobsched::api {

struct ApiOptions {
  // False on a node without the api role: it answers only /healthz, /readyz
  // and /metrics.
  bool jobs_api = true;
  JobHandlerOptions jobs;
  // Where Swagger UI's assets are (see RegisterDocsHandlers).
  std::string docs_dir;
  // Where the web console's files are (see RegisterConsoleHandlers).
  ConsoleOptions console;
  // What GET /events streams (the service feeds it through an EventBridge);
  // null: a hub of the Api's own, which nothing feeds.
  EventHub* events = nullptr;
  // Extra conditions of GET /readyz (see RegisterHealthHandlers).
  ReadinessCheck ready;
  // Where requests are counted and timed, and what GET /metrics shows; none
  // when null (then /metrics answers 404).
  telemetry::Metrics* metrics = nullptr;
  // Called before GET /metrics renders, to refresh values read at scrape time.
  std::function<void()> before_scrape;
  // One info log line per answered request (request id, method, route,
  // status, duration, API key). 5xx answers are always logged, as warnings.
  bool access_log = true;
  // Authentication, roles, namespaces and rate limits (see AccessControl).
  // The default authenticates nobody: no keys, nothing required.
  AccessOptions access;
  // The console's sessions (POST /sessions, GET and DELETE /session), which
  // AccessControl then also accepts in place of a token; none when null.
  SessionManager* sessions = nullptr;
  // GET, POST /keys and DELETE /keys/{name} (admin); none when null.
  store::ApiKeyStore* api_keys = nullptr;
  // GET /jobs/{id}/history and GET /audit (the audit log); none when null.
  store::AuditLog* audit = nullptr;
  // GET /nodes and GET /about, which shows `about`; none when null.
  store::NodeStore* nodes = nullptr;
  // GET /alerts and GET /jobs/{id}/alerts; none when null.
  store::AlertStore* alerts = nullptr;
  AboutInfo about;
};

// Every route of the HTTP API, registered on one router: jobs and their
// lifecycle, runs, schedule previews, health, metrics, the OpenAPI document,
// Swagger UI, the web console, its sessions and its admin routes (keys,
// nodes, about). `store`, `clock` and what `options` points to must outlive it.
class Api {
 public:
  Api(store::JobStore& store, const core::Clock& clock, ApiOptions options);

  // Answers one request; what the HTTP server calls, from any thread. Every
  // answer carries an X-Request-Id: the client's, when it sent a sane one,
  // or a new one; it is in the log lines written for the request. The
  // request is authenticated and rate limited first (AccessControl): a
  // refused one never reaches its handler.
  void Handle(HttpRequest&& request, Responder respond) const;

  const Router& router() const { return router_; }

 private:
  Router router_;
  std::unique_ptr<EventHub> own_events_;  // when ApiOptions::events is null
  std::unique_ptr<JobHandlers> jobs_;
  std::unique_ptr<BulkHandlers> bulk_;  // POST /jobs/bulk, POST /runs/bulk
  AccessControl access_;
  telemetry::Metrics* metrics_ = nullptr;
  bool access_log_ = true;
};

}  // namespace jobsched::api
