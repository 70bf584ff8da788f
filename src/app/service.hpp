#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/api.hpp"
#include "app/config.hpp"
#include "core/result.hpp"

namespace jobsched::app {

// The running service: builds every concrete part from a Config, owns them,
// and tears them down in the right order. The only place that knows every
// concrete class.
class Service {
 public:
  // Opens the database (migrating it), starts the executor, the scheduler
  // and the HTTP server. Fails with
  // the first error met; nothing is left running then.
  static core::Result<std::unique_ptr<Service>> Start(const Config& config);

  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  ~Service();

  // The TCP port the HTTP server listens on (useful with port 0).
  std::uint16_t port() const;

  // Graceful shutdown: stops accepting requests and firing jobs, lets runs in
  // flight finish within the shutdown grace, hands the rest back to the queue.
  void Stop();

 private:
  struct Parts;
  explicit Service(std::unique_ptr<Parts> parts);
  // Start-up, step by step (Start calls them in this order).
  // The database --db names, migrated, and the instrumented store over it.
  static core::Result<void> OpenStore(const Config& config, Parts& parts);
  // The executor role: task runners and the worker pool.
  static core::Result<void> StartExecutor(const Config& config, Parts& parts, const std::string& node_id);
  // The scheduler role: the firing loop and the pruning of run history.
  static void StartScheduler(const Config& config, Parts& parts);
  // Wakes the scheduler and the pool on the database's changes.
  static void SubscribeToChanges(Parts& parts);
  // The HTTP API and its server.
  static core::Result<void> StartApi(const Config& config, Parts& parts, api::AccessOptions access);
  static api::ApiOptions ApiSettings(const Config& config, Parts& parts);
  // Telemetry read at scrape time: queue depth, live nodes, executor slots.
  static std::function<void()> ScrapeHook(Parts& parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace jobsched::app
