#include "app/service.hpp"

#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "api/health_handlers.hpp"
#include "api/http_server.hpp"
#include "api/job_handlers.hpp"
#include "api/router.hpp"
#include "app/system_clock.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::app {

// Declaration order is construction order; members are destroyed in reverse,
// so the server stops before the handlers and the store it calls go away.
struct Service::Parts {
  SystemClock clock;
  std::unique_ptr<store::JobStore> store;
  api::Router router;
  std::unique_ptr<api::JobHandlers> job_handlers;
  std::unique_ptr<api::HttpServer> server;
};

namespace {

core::Result<std::unique_ptr<store::JobStore>> OpenStore(const Config& config) {
  auto path = SqlitePathFromUrl(config.db);
  if (!path) return path.error();
  const std::filesystem::path folder = std::filesystem::path(*path).parent_path();
  if (!folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) return core::Error::Unavailable("cannot create " + folder.string() + ": " + error.message());
  }
  auto store = store::sqlite::SqliteJobStore::Open({.path = *path, .max_batch = 1024});
  if (!store) return store.error();
  spdlog::info("database: sqlite {}", *path);
  return std::unique_ptr<store::JobStore>(std::move(store).value());
}

}  // namespace

core::Result<std::unique_ptr<Service>> Service::Start(const Config& config) {
  auto address = ParseListenAddress(config.listen);
  if (!address) return address.error();

  auto parts = std::make_unique<Parts>();
  auto store = OpenStore(config);
  if (!store) return store.error();
  parts->store = std::move(store).value();

  parts->job_handlers = std::make_unique<api::JobHandlers>(*parts->store, parts->clock);
  parts->job_handlers->Register(parts->router);
  api::RegisterHealthHandlers(parts->router, *parts->store);

  api::HttpServerOptions options;
  options.host = address->host;
  options.port = address->port;
  options.threads = config.http_threads;
  const api::Router& router = parts->router;
  auto server = api::HttpServer::Start(options, [&router](api::HttpRequest&& request, api::Responder respond) {
    router.Dispatch(std::move(request), std::move(respond));
  });
  if (!server) return server.error();
  parts->server = std::move(server).value();
  return std::unique_ptr<Service>(new Service(std::move(parts)));
}

Service::Service(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Service::~Service() { Stop(); }

std::uint16_t Service::port() const { return parts_->server->port(); }

void Service::Stop() {
  if (parts_->server) parts_->server->Stop();
}

}  // namespace jobsched::app
